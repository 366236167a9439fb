package exports

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// sendWebDAV uploads f into the WebDAV folder by the name template: a PUT, and when the
// server says a parent folder is missing, MKCOL of each folder and the PUT again. The same
// name again replaces the file, so a retry leaves one file. Plain net/http: the client needs
// two verbs and Basic auth, which a WebDAV library would add a dependency for.
func sendWebDAV(ctx context.Context, hc *http.Client, c Config, password string, f file) (string, error) {
	rel, err := Render(c.Template, f.meta)
	if err != nil {
		return "", err
	}
	d := davClient{hc: hc, base: c.URL, user: c.Username, pass: password}
	code, err := d.do(ctx, http.MethodPut, rel, f.data, f.contentType)
	if err != nil {
		return "", err
	}
	if code == http.StatusConflict || code == http.StatusNotFound {
		if err := d.mkdirs(ctx, rel); err != nil {
			return "", err
		}
		if code, err = d.do(ctx, http.MethodPut, rel, f.data, f.contentType); err != nil {
			return "", err
		}
	}
	if code < 200 || code > 299 {
		return "", d.statusErr("upload "+rel, code)
	}
	return rel, nil
}

type davClient struct {
	hc         *http.Client
	base       string // ends in /
	user, pass string
}

// target is the URL of a relative path, each segment escaped.
func (d davClient) target(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return d.base + strings.Join(segs, "/")
}

func (d davClient) do(ctx context.Context, method, rel string, body []byte, contentType string) (int, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.target(rel), r)
	if err != nil {
		return 0, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if d.user != "" {
		req.SetBasicAuth(d.user, d.pass)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("cannot reach the WebDAV server at %s (%v); check the URL and that the server is up", d.base, unwrapURL(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// mkdirs makes the target folder itself (its parent must exist) and each folder of rel, top
// down; one that exists answers 405 (or 201 on some servers), which is fine.
func (d davClient) mkdirs(ctx context.Context, rel string) error {
	segs := strings.Split(rel, "/")
	for i := 0; i < len(segs); i++ {
		dir := strings.Join(segs[:i], "/")
		code, err := d.do(ctx, "MKCOL", dir, nil, "")
		if err != nil {
			return err
		}
		if code != http.StatusCreated && code != http.StatusMethodNotAllowed && (code < 200 || code > 299) {
			return d.statusErr("make the folder "+d.target(dir), code)
		}
	}
	return nil
}

func (d davClient) statusErr(what string, code int) error {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("the WebDAV server refused to %s (%d %s); check the user name and password", what, code, http.StatusText(code))
	case http.StatusConflict, http.StatusNotFound:
		return fmt.Errorf("the WebDAV folder %s was not found (%d); check the URL", d.base, code)
	case http.StatusInsufficientStorage:
		return fmt.Errorf("the WebDAV server is full (507); free some space there")
	}
	return fmt.Errorf("the WebDAV server could not %s (%d %s)", what, code, http.StatusText(code))
}

// unwrapURL drops net/http's "Put \"<url>\":" prefix: the URL is said already.
func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
