package operator

import (
	"bytes"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Moscow must load on hosts without a zoneinfo database

	"rekey/pki"
)

// Approval modes (requirement O4).
const (
	// ApprovalManual queues every accepted renewal for an operator's
	// approval; the subscriber is answered "waiting". The default.
	ApprovalManual = "manual"
	// ApprovalAuto issues an accepted renewal at once.
	ApprovalAuto = "auto"
)

// Config is the operator's policy and issuance configuration, read from a
// strict JSON file by ParseConfig. Zero fields are filled by ApplyDefaults;
// Validate checks a filled config and changes nothing.
type Config struct {
	// CAName is the CA's common name, used in audit records and texts.
	CAName string `json:"ca_name"`
	// Profile is the CA's algorithm profile: "gost2012-256",
	// "gost2012-512" or "ecdsa-p256".
	Profile string `json:"profile"`
	// KeyProfiles are the subscriber keys a certificate may be issued
	// for: a profile name, for GOST with the TC26 parameter set after a
	// colon ("gost2012-256:A"). A GOST profile without a set allows all of
	// its sets. Default: the CA's profile with all its sets.
	KeyProfiles []string `json:"key_profiles"`

	// Lifetime is the validity of an issued certificate, from the moment
	// of issuance (default 365 days).
	Lifetime Duration `json:"lifetime"`
	// KeyUsagePeriod, when set, adds a privateKeyUsagePeriod extension
	// ending this long after notBefore; it must not exceed Lifetime.
	// Zero (the default) writes none: the key may sign while the
	// certificate is valid.
	KeyUsagePeriod Duration `json:"key_usage_period,omitempty"`
	// Backdate moves notBefore into the past to tolerate subscribers'
	// clocks (default 10 minutes).
	Backdate Duration `json:"backdate"`

	// TimeZone is the IANA zone in which "the key's last day" (S5) and
	// the daily rate limit are counted (default Europe/Moscow).
	TimeZone string `json:"time_zone"`
	// Approval is ApprovalManual (the default) or ApprovalAuto.
	Approval string `json:"approval"`
	// CheckAfter is the delay a waiting subscriber is asked to wait
	// before polling again (default 5 seconds).
	CheckAfter Duration `json:"check_after"`
	// SLA is the time within which a queued request should be decided
	// (default 24 hours); older requests are overdue.
	SLA Duration `json:"sla"`
	// RateLimitPerDay is the number of renewal requests a subscriber may
	// send per calendar day in TimeZone (default 10).
	RateLimitPerDay int `json:"rate_limit_per_day"`

	// RenewalWindow is the renewal time suggested to subscribers.
	RenewalWindow RenewalWindowConfig `json:"renewal_window"`

	// Office says where in-office procedures happen, in Russian and
	// English; it ends every refusal that sends the subscriber there.
	Office OfficeContact `json:"office"`

	// CRLURL, when set, goes into every certificate's CRL distribution
	// points.
	CRLURL string `json:"crl_url,omitempty"`
	// Policies are certificate policy OIDs written into every
	// certificate, such as the protection class 1.2.643.100.113.1 (KC1).
	Policies []string `json:"policies,omitempty"`
	// SubjectSignTool is the subscriber's signature tool named in the
	// subjectSignTool extension; empty writes none.
	SubjectSignTool string `json:"subject_sign_tool,omitempty"`
	// IssuerSignTool fills the issuerSignTool extension; nil writes none.
	IssuerSignTool *IssuerSignTool `json:"issuer_sign_tool,omitempty"`
}

// IssuerSignTool names the CA's tools and their conformity certificates
// for the issuerSignTool extension (1.2.643.100.112); all four are needed.
type IssuerSignTool struct {
	SignTool     string `json:"sign_tool"`      // the CA's signature tool (CSP)
	CATool       string `json:"ca_tool"`        // the CA software
	SignToolCert string `json:"sign_tool_cert"` // conformity certificate of SignTool
	CAToolCert   string `json:"ca_tool_cert"`   // conformity certificate of CATool
}

// RenewalWindowConfig sets when the operator suggests that a subscriber
// renew: from Fraction of the key's lifetime or Before its last day,
// whichever comes first, moved later by up to Jitter (the same for one
// certificate every time) to spread the load.
type RenewalWindowConfig struct {
	Fraction float64  `json:"fraction"` // default 2/3
	Before   Duration `json:"before"`   // default 30 days
	Jitter   Duration `json:"jitter"`   // default 3 days
}

// OfficeContact is the office text in both languages, such as
// "Москва, ул. Примерная, 1, тел. +7 495 000-00-00".
type OfficeContact struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// Defaults.
const (
	DefaultProfile         = "gost2012-256"
	DefaultTimeZone        = "Europe/Moscow"
	DefaultLifetime        = 365 * 24 * time.Hour
	DefaultBackdate        = 10 * time.Minute
	DefaultCheckAfter      = 5 * time.Second
	DefaultSLA             = 24 * time.Hour
	DefaultRateLimitPerDay = 10
	DefaultWindowBefore    = 30 * 24 * time.Hour
	DefaultWindowJitter    = 3 * 24 * time.Hour
	DefaultWindowFraction  = 2.0 / 3
)

// Default office texts, for a config that names no office.
const (
	defaultOfficeRU = "обратитесь в офис оператора"
	defaultOfficeEN = "contact the operator's office"
)

// ParseConfig reads a config file: strict JSON (an unknown field or
// trailing data is an error naming it), then ApplyDefaults, then
// Validate.
func ParseConfig(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("operator: config: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("operator: config: data after the JSON object")
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// DefaultConfig returns a config with every default.
func DefaultConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// ApplyDefaults fills the zero fields that have a default. It is the only
// method that changes c.
func (c *Config) ApplyDefaults() {
	setString(&c.Profile, DefaultProfile)
	if c.CAName == "" {
		c.CAName = "rekey CA"
	}
	setDuration(&c.Lifetime, DefaultLifetime)
	setDuration(&c.Backdate, DefaultBackdate)
	setString(&c.TimeZone, DefaultTimeZone)
	setString(&c.Approval, ApprovalManual)
	setDuration(&c.CheckAfter, DefaultCheckAfter)
	setDuration(&c.SLA, DefaultSLA)
	if c.RateLimitPerDay == 0 {
		c.RateLimitPerDay = DefaultRateLimitPerDay
	}
	if len(c.KeyProfiles) == 0 {
		c.KeyProfiles = []string{c.Profile}
	}
	w := &c.RenewalWindow
	if w.Fraction == 0 {
		w.Fraction = DefaultWindowFraction
	}
	setDuration(&w.Before, DefaultWindowBefore)
	setDuration(&w.Jitter, DefaultWindowJitter)
	setString(&c.Office.RU, defaultOfficeRU)
	setString(&c.Office.EN, defaultOfficeEN)
}

func setString(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

func setDuration(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// Validate reports the first problem of a config whose defaults are
// applied, naming the field. It changes nothing.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.CAName) == "" {
		return configError("ca_name", "is empty")
	}
	if _, err := pki.ProfileByName(c.Profile); err != nil {
		return configError("profile", fmt.Sprintf("%q is not a profile", c.Profile))
	}
	if len(c.KeyProfiles) == 0 {
		return configError("key_profiles", "is empty: no key could be certified")
	}
	for _, k := range c.KeyProfiles {
		if _, err := parseKeyProfile(k); err != nil {
			return configError("key_profiles", err.Error())
		}
	}
	if err := c.validateTimes(); err != nil {
		return err
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		return configError("time_zone", fmt.Sprintf("%q is not a known time zone", c.TimeZone))
	}
	if c.Approval != ApprovalManual && c.Approval != ApprovalAuto {
		return configError("approval", fmt.Sprintf("%q is neither %q nor %q",
			c.Approval, ApprovalManual, ApprovalAuto))
	}
	if c.RateLimitPerDay < 1 {
		return configError("rate_limit_per_day", "must be at least 1")
	}
	if strings.TrimSpace(c.Office.RU) == "" || strings.TrimSpace(c.Office.EN) == "" {
		return configError("office", "needs both the ru and the en text")
	}
	return c.validateExtensions()
}

func (c *Config) validateTimes() error {
	switch {
	case c.Lifetime <= 0:
		return configError("lifetime", "must be positive")
	case c.KeyUsagePeriod < 0:
		return configError("key_usage_period", "must not be negative")
	case c.KeyUsagePeriod > c.Lifetime:
		return configError("key_usage_period", "is longer than lifetime")
	case c.Backdate < 0 || c.Backdate > Duration(24*time.Hour):
		return configError("backdate", "must be between 0 and 24h")
	case c.CheckAfter <= 0:
		return configError("check_after", "must be positive")
	case c.SLA <= 0:
		return configError("sla", "must be positive")
	}
	w := c.RenewalWindow
	switch {
	case math.IsNaN(w.Fraction) || w.Fraction <= 0 || w.Fraction >= 1:
		return configError("renewal_window.fraction", "must be between 0 and 1")
	case w.Before <= 0:
		return configError("renewal_window.before", "must be positive")
	case w.Jitter < 0:
		return configError("renewal_window.jitter", "must not be negative")
	}
	return nil
}

func (c *Config) validateExtensions() error {
	if c.CRLURL != "" {
		u, err := url.Parse(c.CRLURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return configError("crl_url", fmt.Sprintf("%q is not an http(s) URL", c.CRLURL))
		}
	}
	if t := c.IssuerSignTool; t != nil && (t.SignTool == "" || t.CATool == "" ||
		t.SignToolCert == "" || t.CAToolCert == "") {
		return configError("issuer_sign_tool", "needs all four names")
	}
	for _, p := range c.Policies {
		if _, err := parseOID(p); err != nil {
			return configError("policies", fmt.Sprintf("%q is not an OID", p))
		}
	}
	return nil
}

// location returns the configured time zone; Validate has checked it.
func (c *Config) location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, configError("time_zone", err.Error())
	}
	return loc, nil
}

// policyOIDs returns Policies as OIDs; Validate has checked them.
func (c *Config) policyOIDs() ([]asn1.ObjectIdentifier, error) {
	var oids []asn1.ObjectIdentifier
	for _, p := range c.Policies {
		oid, err := parseOID(p)
		if err != nil {
			return nil, configError("policies", err.Error())
		}
		oids = append(oids, oid)
	}
	return oids, nil
}

func configError(field, problem string) error {
	return fmt.Errorf("operator: config: %s %s", field, problem)
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, errors.New("too few arcs")
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil || (len(p) > 1 && p[0] == '0') {
			return nil, fmt.Errorf("bad arc %q", p)
		}
		oid[i] = int(n)
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] > 39) {
		return nil, errors.New("bad first arcs")
	}
	return oid, nil
}

// Duration is a time.Duration written in JSON as a string: Go's form
// ("90s", "24h") or a whole number of days ("365d").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes whole days as "Nd" and anything else in Go's form.
func (d Duration) MarshalJSON() ([]byte, error) {
	const day = 24 * time.Hour
	if t := time.Duration(d); t != 0 && t%day == 0 {
		return json.Marshal(strconv.FormatInt(int64(t/day), 10) + "d")
	}
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads the forms MarshalJSON writes.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`a duration is a string such as "90s", "24h" or "365d"`)
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("bad duration %q", s)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	t, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q", s)
	}
	*d = Duration(t)
	return nil
}
