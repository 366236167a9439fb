package demoportal

import (
	"net/http"
	"time"
)

// Remembered devices, as real portals offer them on the code step ("Remember this device for 30
// days"): a long-lived cookie that lets the same browser sign in with the password alone.

const (
	deviceCookie = "nimbus_device"
	deviceTTL    = 30 * 24 * time.Hour
)

// device is a browser that may skip the code step for its user until expires.
type device struct {
	user    string
	expires time.Time
}

// rememberDeviceLocked gives the browser a device cookie for user. Caller holds p.mu.
func (p *Portal) rememberDeviceLocked(w http.ResponseWriter, user string) {
	now := p.now()
	for id, d := range p.devices {
		if now.After(d.expires) {
			delete(p.devices, id)
		}
	}
	id := randomToken()
	p.devices[id] = &device{user: user, expires: now.Add(deviceTTL)}
	http.SetCookie(w, &http.Cookie{
		Name:     deviceCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(deviceTTL / time.Second),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// rememberedLocked reports whether the request comes from a browser remembered for user.
// Caller holds p.mu.
func (p *Portal) rememberedLocked(r *http.Request, user string) bool {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return false
	}
	d := p.devices[c.Value]
	if d == nil || p.now().After(d.expires) {
		return false
	}
	return d.user == user
}

// EndSessions signs every browser out on the portal's side, as a portal does when its sessions
// time out, but keeps the remembered devices. For tests: a kept session is then stale.
func (p *Portal) EndSessions() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.sessions)
}
