package operator

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseConfigRejectsUnknownField(t *testing.T) {
	_, err := ParseConfig([]byte(`{"profile": "gost2012-256", "aproval": "auto"}`))
	if err == nil || !strings.Contains(err.Error(), `"aproval"`) {
		t.Fatalf("err = %v, want one naming the unknown field", err)
	}
}

func TestParseConfigRejectsTrailingData(t *testing.T) {
	if _, err := ParseConfig([]byte(`{"profile": "ecdsa-p256"} {}`)); err == nil {
		t.Fatal("trailing data accepted")
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{
		"ca_name": "УЦ Тест",
		"profile": "ecdsa-p256",
		"approval": "auto",
		"lifetime": "455d",
		"key_usage_period": "365d",
		"check_after": "2s",
		"rate_limit_per_day": 3,
		"office": {"ru": "Москва", "en": "Moscow"},
		"crl_url": "http://ca.example.ru/ca.crl",
		"issuer_sign_tool": {"sign_tool": "СКЗИ", "ca_tool": "rekeyd",
			"sign_tool_cert": "СФ/1", "ca_tool_cert": "СФ/2"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Approval != ApprovalAuto || c.Lifetime.D() != 455*24*time.Hour ||
		c.KeyUsagePeriod.D() != 365*24*time.Hour || c.CheckAfter.D() != 2*time.Second ||
		c.RateLimitPerDay != 3 || c.IssuerSignTool.CATool != "rekeyd" {
		t.Errorf("config = %+v", c)
	}
	if c.TimeZone != DefaultTimeZone || c.SLA.D() != DefaultSLA {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	checks := []struct {
		field string
		ok    bool
	}{
		{"profile", c.Profile == "gost2012-256"},
		{"approval", c.Approval == ApprovalManual},
		{"time_zone", c.TimeZone == "Europe/Moscow"},
		{"lifetime", c.Lifetime.D() == 365*24*time.Hour},
		{"key_usage_period", c.KeyUsagePeriod == 0},
		{"sla", c.SLA.D() == 24*time.Hour},
		{"check_after", c.CheckAfter.D() == 5*time.Second},
		{"rate_limit_per_day", c.RateLimitPerDay == DefaultRateLimitPerDay},
		{"key_profiles", reflect.DeepEqual(c.KeyProfiles, []string{"gost2012-256"})},
		{"renewal_window", c.RenewalWindow.Fraction == 2.0/3 &&
			c.RenewalWindow.Before.D() == 30*24*time.Hour},
		{"office", c.Office.RU != "" && c.Office.EN != ""},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("default %s is wrong: %+v", ch.field, c)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		field  string
		change func(*Config)
	}{
		{"profile", func(c *Config) { c.Profile = "rsa-2048" }},
		{"key_profiles", func(c *Config) { c.KeyProfiles = []string{"gost2012-256:E"} }},
		{"key_profiles", func(c *Config) { c.KeyProfiles = []string{"ecdsa-p256:A"} }},
		{"lifetime", func(c *Config) { c.Lifetime = -1 }},
		{"key_usage_period", func(c *Config) { c.KeyUsagePeriod = c.Lifetime + 1 }},
		{"time_zone", func(c *Config) { c.TimeZone = "Mars/Olympus" }},
		{"approval", func(c *Config) { c.Approval = "sometimes" }},
		{"rate_limit_per_day", func(c *Config) { c.RateLimitPerDay = -1 }},
		{"office", func(c *Config) { c.Office.EN = " " }},
		{"crl_url", func(c *Config) { c.CRLURL = "ldap://ca/crl" }},
		{"policies", func(c *Config) { c.Policies = []string{"1.2.x"} }},
		{"renewal_window.fraction", func(c *Config) { c.RenewalWindow.Fraction = 1.5 }},
		{"backdate", func(c *Config) { c.Backdate = Duration(48 * time.Hour) }},
		{"issuer_sign_tool", func(c *Config) { c.IssuerSignTool = &IssuerSignTool{CATool: "x"} }},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		tt.change(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v", tt.field, err)
		}
	}
}

func TestValidateChangesNothing(t *testing.T) {
	for _, c := range []Config{{}, DefaultConfig(), {Profile: "ecdsa-p256", Approval: "x"}} {
		before, _ := json.Marshal(c)
		keep := c
		_ = c.Validate()
		after, _ := json.Marshal(c)
		if string(before) != string(after) || !reflect.DeepEqual(keep, c) {
			t.Errorf("Validate changed %s into %s", before, after)
		}
	}
	var zero Config
	if err := zero.Validate(); err == nil {
		t.Error("a config without defaults validated: Validate must not fill them in")
	}
}

func TestDurationJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{`"365d"`, 365 * 24 * time.Hour, `"365d"`},
		{`"90s"`, 90 * time.Second, `"1m30s"`},
		{`"36h"`, 36 * time.Hour, `"36h0m0s"`},
	} {
		var d Duration
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil || d.D() != tt.want {
			t.Errorf("%s: %v, %v", tt.in, d.D(), err)
		}
		if out, _ := json.Marshal(d); string(out) != tt.out {
			t.Errorf("%s: marshal = %s, want %s", tt.in, out, tt.out)
		}
	}
	for _, bad := range []string{`"1y"`, `365`, `"-3d"`, `"d"`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
