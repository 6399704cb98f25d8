package media

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxOfficeSize is the largest office.json this package writes or reads,
// in bytes. The contact is a line or two of text; anything larger is not
// one.
const MaxOfficeSize = 4096

// Office is the content of a container's optional office.json: whom the
// subscriber contacts for what only the operator's office does (changed
// details, a compromised key, a key past its last day), in Russian and
// English, as the operator's configuration names it (operator.office in
// rekeyd.json). Its JSON form is strict: both texts are required and
// unknown fields are refused.
type Office struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// Text returns the contact in lang ("ru" or "en"); another language gets
// the English text.
func (o *Office) Text(lang string) string {
	if lang == "ru" {
		return o.RU
	}
	return o.EN
}

// Validate checks that both texts are there and printable: valid UTF-8
// without control characters other than a line break (the text is shown
// on terminals as it is). It changes nothing.
func (o *Office) Validate() error {
	for _, f := range []struct{ name, text string }{{"ru", o.RU}, {"en", o.EN}} {
		if strings.TrimSpace(f.text) == "" {
			return fmt.Errorf("media: office: %s is missing", f.name)
		}
		if !utf8.ValidString(f.text) {
			return fmt.Errorf("media: office: %s is not UTF-8 text", f.name)
		}
		for _, r := range f.text {
			if r != '\n' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') {
				return fmt.Errorf("media: office: %s holds the control character %U", f.name, r)
			}
		}
	}
	return nil
}

// Marshal returns the office's JSON form, indented, with a final newline;
// a form longer than MaxOfficeSize is refused.
func (o *Office) Marshal() ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("media: office: %v", err)
	}
	b = append(b, '\n')
	if len(b) > MaxOfficeSize {
		return nil, fmt.Errorf("media: office: the contact takes %d bytes, more than %d",
			len(b), MaxOfficeSize)
	}
	return b, nil
}

// ParseOffice reads an office.json strictly (see Office) and validates it.
func ParseOffice(data []byte) (*Office, error) {
	if len(data) > MaxOfficeSize {
		return nil, fmt.Errorf("media: office: more than %d bytes", MaxOfficeSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var o Office
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("media: office: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("media: office: data after the JSON object")
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &o, nil
}

// readOffice reads dir/office.json: nil without error when the file is
// absent (an older container), an error naming the problem when it is
// there but not a valid office contact. At most MaxOfficeSize+1 bytes are
// read.
func readOffice(dir string) (*Office, error) {
	f, err := os.Open(filepath.Join(dir, OfficeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxOfficeSize+1))
	if err != nil {
		return nil, err
	}
	o, err := ParseOffice(data)
	if err != nil {
		return nil, fmt.Errorf("%s (the file is optional: remove it, and the generic "+
			"office text is shown instead)", strings.TrimPrefix(err.Error(), "media: office: "))
	}
	return o, nil
}
