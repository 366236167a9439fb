package notify

// View is the settings as the API shows them: every secret replaced by whether it is set.
type View struct {
	Ntfy struct {
		Enabled  bool   `json:"enabled"`
		URL      string `json:"url"`
		TokenSet bool   `json:"tokenSet"`
	} `json:"ntfy"`
	Webhook struct {
		Enabled bool         `json:"enabled"`
		URL     string       `json:"url"`
		Headers []HeaderView `json:"headers"`
	} `json:"webhook"`
	Email struct {
		Enabled     bool   `json:"enabled"`
		Host        string `json:"host"`
		Port        int    `json:"port"`
		Security    string `json:"security"`
		Username    string `json:"username"`
		PasswordSet bool   `json:"passwordSet"`
		From        string `json:"from"`
		To          string `json:"to"`
	} `json:"email"`
}

// HeaderView is a webhook header without its value.
type HeaderView struct {
	Name     string `json:"name"`
	ValueSet bool   `json:"valueSet"`
}

// ViewOf hides the secrets of s.
func ViewOf(s Settings) View {
	var v View
	v.Ntfy.Enabled, v.Ntfy.URL, v.Ntfy.TokenSet = s.Ntfy.Enabled, s.Ntfy.URL, s.Ntfy.Token != ""
	v.Webhook.Enabled, v.Webhook.URL = s.Webhook.Enabled, s.Webhook.URL
	v.Webhook.Headers = []HeaderView{}
	for _, h := range s.Webhook.Headers {
		v.Webhook.Headers = append(v.Webhook.Headers, HeaderView{h.Name, h.Value != ""})
	}
	e := s.Email
	v.Email.Enabled, v.Email.Host, v.Email.Port, v.Email.Security = e.Enabled, e.Host, e.Port, e.Security
	v.Email.Username, v.Email.PasswordSet, v.Email.From, v.Email.To = e.Username, e.Password != "", e.From, e.To
	if v.Email.Security == "" {
		v.Email.Security = SecuritySTARTTLS
	}
	return v
}

// Update is what the settings page sends. Secrets work like a portal's password: empty keeps
// the stored one, the Clear flags remove it.
type Update struct {
	Ntfy struct {
		Enabled    bool   `json:"enabled"`
		URL        string `json:"url"`
		Token      string `json:"token"`
		ClearToken bool   `json:"clearToken"`
	} `json:"ntfy"`
	Webhook struct {
		Enabled bool     `json:"enabled"`
		URL     string   `json:"url"`
		Headers []Header `json:"headers"` // the full list; an empty value keeps the stored one
	} `json:"webhook"`
	Email struct {
		Enabled       bool   `json:"enabled"`
		Host          string `json:"host"`
		Port          int    `json:"port"`
		Security      string `json:"security"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		ClearPassword bool   `json:"clearPassword"`
		From          string `json:"from"`
		To            string `json:"to"`
	} `json:"email"`
}

// Apply returns old changed by u.
func (u Update) Apply(old Settings) Settings {
	s := Settings{}
	s.Ntfy = Ntfy{Enabled: u.Ntfy.Enabled, URL: u.Ntfy.URL, Token: keep(u.Ntfy.Token, old.Ntfy.Token, u.Ntfy.ClearToken)}
	s.Webhook = Webhook{Enabled: u.Webhook.Enabled, URL: u.Webhook.URL}
	for _, h := range u.Webhook.Headers {
		if h.Value == "" {
			for _, o := range old.Webhook.Headers {
				if o.Name == h.Name {
					h.Value = o.Value
				}
			}
		}
		s.Webhook.Headers = append(s.Webhook.Headers, h)
	}
	e := u.Email
	s.Email = Email{Enabled: e.Enabled, Host: e.Host, Port: e.Port, Security: e.Security,
		Username: e.Username, Password: keep(e.Password, old.Email.Password, e.ClearPassword), From: e.From, To: e.To}
	if s.Email.Username == "" {
		s.Email.Password = "" // a password without a user name is never sent; do not keep it
	}
	return s
}

func keep(typed, stored string, clear bool) string {
	switch {
	case clear:
		return ""
	case typed != "":
		return typed
	default:
		return stored
	}
}
