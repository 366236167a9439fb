package config

import (
	"flag"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"100MB": 100 << 20, "1GB": 1 << 30, "1.5gb": 3 << 29, "512 KB": 512 << 10, "2m": 2 << 20, "12345": 12345, "700B": 700} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MB", "-1MB", "0", "ten", "1TB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

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
		{"download limit default", nil, nil, func(c *Config) bool { return c.MaxDownload == 100<<20 }, false},
		{"download limit from env", map[string]string{"BILLHOUND_MAX_DOWNLOAD": "1GB"}, nil, func(c *Config) bool { return c.MaxDownload == 1<<30 }, false},
		{"download limit flag in bytes", nil, []string{"--max-download", "5000"}, func(c *Config) bool { return c.MaxDownload == 5000 }, false},
		{"bad download limit", map[string]string{"BILLHOUND_MAX_DOWNLOAD": "lots"}, nil, nil, true},
		{"public URL derived", nil, nil, func(c *Config) bool { return c.Public() == "http://localhost:8080" }, false},
		{"public URL from a listen host", map[string]string{"BILLHOUND_ADDR": "127.0.0.1:9000"}, nil, func(c *Config) bool { return c.Public() == "http://127.0.0.1:9000" }, false},
		{"public URL given", map[string]string{"BILLHOUND_PUBLIC_URL": "https://bills.example.com/"}, nil, func(c *Config) bool { return c.Public() == "https://bills.example.com" }, false},
		{"bad public URL", map[string]string{"BILLHOUND_PUBLIC_URL": "bills.example.com"}, nil, nil, true},
		{"zero download limit", map[string]string{"BILLHOUND_MAX_DOWNLOAD": "0"}, nil, nil, true},
		{"trusted proxies", map[string]string{"BILLHOUND_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,::1"}, nil, func(c *Config) bool {
			return len(c.TrustedProxies) == 3 && c.TrustedProxies[0].String() == "10.0.0.0/8" &&
				c.TrustedProxies[1].String() == "192.168.1.7/32" && c.TrustedProxies[2].String() == "::1/128"
		}, false},
		{"no proxies by default", nil, nil, func(c *Config) bool { return len(c.TrustedProxies) == 0 }, false},
		{"browser defaults", nil, nil, func(c *Config) bool {
			return c.BrowserMode == "headless" && c.BrowserWS == "" && c.Locale == "" && c.Timezone == ""
		}, false},
		{"browser settings", map[string]string{"BILLHOUND_BROWSER_MODE": "Headful", "BILLHOUND_BROWSER_WS": "ws://10.0.0.5:3000/",
			"BILLHOUND_LOCALE": "de-DE", "BILLHOUND_TIMEZONE": "Europe/Berlin"}, nil, func(c *Config) bool {
			return c.BrowserMode == "headful" && c.BrowserWS == "ws://10.0.0.5:3000/" && c.Locale == "de-DE" && c.Timezone == "Europe/Berlin"
		}, false},
		{"bad browser mode", map[string]string{"BILLHOUND_BROWSER_MODE": "headed"}, nil, nil, true},
		{"browser server not ws", map[string]string{"BILLHOUND_BROWSER_WS": "http://10.0.0.5:3000"}, nil, nil, true},
		{"bad locale", map[string]string{"BILLHOUND_LOCALE": "de_DE.UTF-8"}, nil, nil, true},
		{"bad time zone", map[string]string{"BILLHOUND_TIMEZONE": "Mars/Olympus"}, nil, nil, true},
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
