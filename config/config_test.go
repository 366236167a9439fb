package config

import (
	"flag"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(*Config) bool
		wantErr bool
	}{
		{"defaults", nil, nil, func(c *Config) bool {
			return c.Addr == ":8080" && c.DataDir == "./data" && c.RunTimeout == 5*time.Minute && c.ChromiumPath == "/usr/bin/chromium"
		}, false},
		{"env", map[string]string{"BILLHOUND_ADDR": "127.0.0.1:9000", "BILLHOUND_RUN_TIMEOUT": "90s"}, nil, func(c *Config) bool {
			return c.Addr == "127.0.0.1:9000" && c.RunTimeout == 90*time.Second
		}, false},
		{"flag beats env", map[string]string{"BILLHOUND_DATA": "/env"}, []string{"--data", "/flag"}, func(c *Config) bool {
			return c.DataDir == "/flag"
		}, false},
		{"secret key only from env", map[string]string{"BILLHOUND_SECRET_KEY": "abc"}, nil, func(c *Config) bool {
			return c.SecretKey == "abc"
		}, false},
		{"bad duration", map[string]string{"BILLHOUND_RUN_TIMEOUT": "soon"}, nil, nil, true},
		{"trusted proxies", map[string]string{"BILLHOUND_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,::1"}, nil, func(c *Config) bool {
			return len(c.TrustedProxies) == 3 && c.TrustedProxies[0].String() == "10.0.0.0/8" &&
				c.TrustedProxies[1].String() == "192.168.1.7/32" && c.TrustedProxies[2].String() == "::1/128"
		}, false},
		{"no proxies by default", nil, nil, func(c *Config) bool { return len(c.TrustedProxies) == 0 }, false},
		{"bad proxy", map[string]string{"BILLHOUND_TRUSTED_PROXIES": "10.0.0.0/8,proxy.lan"}, nil, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(flag.NewFlagSet("t", flag.ContinueOnError), tc.args, func(k string) string { return tc.env[k] })
			if tc.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("got %+v, %v", c, err)
			}
		})
	}
}
