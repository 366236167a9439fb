package demoportal

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// The challenge ("Click the red circle") follows a sign-in when Options.Challenge is set, like
// the "confirm it's you" pages real portals show to new devices. The circle's place exists only
// as pixels of a server-drawn image and the click arrives as a server-side image map ("?x,y"),
// so a script cannot solve it with selectors: a person has to look, here through billhound's
// live view. No JavaScript is needed on the page.

const (
	challengeW, challengeH = 360, 240
	targetRadius           = 22
	msgChallengeMissed     = "That was not the red circle. Try again."
)

// challengeTarget is where the red circle of the shown image is.
type challengeTarget struct {
	x, y  int
	decoy [][2]int // grey circles that are not the target
	seq   int      // changes with each new picture, so browsers do not show a cached one
}

// challengePaths stay reachable while a signed-in session has not solved the challenge yet.
var challengePaths = map[string]bool{
	"/challenge": true, "/challenge.png": true, "/challenge/verify": true, "/style.css": true, "/logout": true,
}

// gateChallenge sends a signed-in session that still owes the challenge to /challenge and
// reports whether it did.
func (p *Portal) gateChallenge(w http.ResponseWriter, r *http.Request) bool {
	if !p.challenge || challengePaths[r.URL.Path] {
		return false
	}
	p.mu.Lock()
	s := p.sessionLocked(r)
	owes := s != nil && s.user != "" && !s.verified
	p.mu.Unlock()
	if owes {
		http.Redirect(w, r, "/challenge", http.StatusFound)
	}
	return owes
}

// challengeSessionLocked returns the session that owes the challenge, or where to go instead.
func (p *Portal) challengeSessionLocked(r *http.Request) (*session, string) {
	s := p.sessionLocked(r)
	switch {
	case s == nil || s.user == "":
		return nil, "/login"
	case s.verified || !p.challenge:
		return nil, "/account"
	}
	return s, ""
}

func (p *Portal) handleChallengePage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s, redirect := p.challengeSessionLocked(r)
	var seq int
	var msg string
	if s != nil {
		if s.target == nil {
			s.target = newTarget(0)
		}
		seq = s.target.seq
		msg, s.flash = s.flash, ""
	}
	p.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, "challenge", view{Title: "Verify it's you", Error: msg,
		ChallengeImage: "/challenge.png?n=" + strconv.Itoa(seq)})
}

func (p *Portal) handleChallengeImage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s, _ := p.challengeSessionLocked(r)
	var t challengeTarget
	if s != nil && s.target != nil {
		t = *s.target
	}
	p.mu.Unlock()
	if s == nil || t.seq == 0 {
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	png.Encode(&buf, drawChallenge(t))
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// handleChallengeVerify takes the click of the image map: the query is "x,y" in image pixels.
func (p *Portal) handleChallengeVerify(w http.ResponseWriter, r *http.Request) {
	x, y, ok := imageMapPoint(r.URL.RawQuery)
	p.mu.Lock()
	s, redirect := p.challengeSessionLocked(r)
	if s != nil {
		t := s.target
		if ok && t != nil && (x-t.x)*(x-t.x)+(y-t.y)*(y-t.y) <= (targetRadius+4)*(targetRadius+4) {
			s.verified, s.target = true, nil
			redirect = "/account"
		} else {
			seq := 0
			if t != nil {
				seq = t.seq
			}
			s.target, s.flash = newTarget(seq), msgChallengeMissed // a new picture for each try
			redirect = "/challenge"
		}
	}
	p.mu.Unlock()
	http.Redirect(w, r, redirect, http.StatusSeeOther)
}

func imageMapPoint(q string) (int, int, bool) {
	xs, ys, found := strings.Cut(q, ",")
	x, err1 := strconv.Atoi(xs)
	y, err2 := strconv.Atoi(ys)
	return x, y, found && err1 == nil && err2 == nil
}

// newTarget places the red circle away from the picture's middle (where a blind click on the
// image lands) and three grey decoys elsewhere.
func newTarget(prevSeq int) *challengeTarget {
	t := &challengeTarget{seq: prevSeq + 1 + rand.IntN(1000)}
	spot := func() (int, int) {
		m := targetRadius + 6
		return m + rand.IntN(challengeW-2*m), m + rand.IntN(challengeH-2*m)
	}
	for {
		t.x, t.y = spot()
		if abs(t.x-challengeW/2) > 70 || abs(t.y-challengeH/2) > 50 {
			break
		}
	}
	for len(t.decoy) < 3 {
		x, y := spot()
		if abs(x-t.x) > 3*targetRadius || abs(y-t.y) > 3*targetRadius {
			t.decoy = append(t.decoy, [2]int{x, y})
		}
	}
	return t
}

func drawChallenge(t challengeTarget) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, challengeW, challengeH))
	bg, grey, red := color.RGBA{0xee, 0xf2, 0xf7, 0xff}, color.RGBA{0x9a, 0xa4, 0xb2, 0xff}, color.RGBA{0xd9, 0x2d, 0x20, 0xff}
	for y := 0; y < challengeH; y++ {
		for x := 0; x < challengeW; x++ {
			img.Set(x, y, bg)
		}
	}
	for _, d := range t.decoy {
		disc(img, d[0], d[1], targetRadius, grey)
	}
	disc(img, t.x, t.y, targetRadius, red)
	return img
}

func disc(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.Set(x, y, c)
			}
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ChallengeTarget returns where the red circle of the session's current picture is, for
// tests that play the person (the session is the value of the portal's session cookie).
func (p *Portal) ChallengeTarget(sessionID string) (x, y int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sessionID]
	if s == nil || s.target == nil {
		return 0, 0, fmt.Errorf("no challenge shown to this session")
	}
	return s.target.x, s.target.y, nil
}
