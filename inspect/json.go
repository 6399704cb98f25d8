package inspect

import (
	"encoding/json"
	"io"

	"rekey/internal/i18n"
)

// jsonReport is the top level of the JSON form: the first object's keys,
// with the format, the verdict and the other objects beside them.
type jsonReport struct {
	Format Format `json:"format"`
	OK     bool   `json:"ok"`
	*Object
	More []*Object `json:"more"`
}

// WriteJSON writes the report's JSON form (see the package documentation),
// with the messages of notes and problems in lang.
func (r *Report) WriteJSON(w io.Writer, lang i18n.Lang) error {
	for _, o := range r.Objects {
		o.localize(lang)
	}
	out := jsonReport{Format: r.Format, OK: r.OK(), Object: r.Objects[0], More: r.Objects[1:]}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (o *Object) localize(lang i18n.Lang) {
	for i := range o.Problems {
		o.Problems[i].Message = o.Problems[i].Text(lang)
	}
	for i := range o.Notes {
		o.Notes[i].Message = o.Notes[i].Text(lang)
	}
	if o.PKCS12 != nil {
		for _, c := range o.PKCS12.Certificates {
			c.localize(lang)
		}
		for _, s := range o.PKCS12.Safes {
			for _, b := range s.Bags {
				if b.Certificate != nil {
					b.Certificate.localize(lang)
				}
			}
		}
	}
	if o.CMS != nil {
		for _, c := range o.CMS.Certificates {
			c.localize(lang)
		}
	}
}
