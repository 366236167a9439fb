// Package shareddata finds the data sets that sit beside the repository in ../shared (real QR
// photos with expected texts), for tests. A clone elsewhere names the folder with
// BILLHOUND_SHARED_DIR.
package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// Dir returns the shared folder: $BILLHOUND_SHARED_DIR, else ../shared beside the repository,
// else the workplace's /work/shared.
func Dir() (string, error) {
	var cands []string
	if d := os.Getenv("BILLHOUND_SHARED_DIR"); d != "" {
		cands = append(cands, d)
	}
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	cands = append(cands, filepath.Join(repo, "..", "shared"), "/work/shared")
	for _, c := range cands {
		if st, err := os.Stat(filepath.Join(c, "qr-photos")); err == nil && st.IsDir() {
			return c, nil
		}
	}
	return "", errors.New("the shared test data (qr-photos) is not beside the repository; set BILLHOUND_SHARED_DIR to the folder holding qr-photos/")
}

// QRPhotos returns the qr-photos folder, or "" and an error.
func QRPhotos() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "qr-photos"), nil
}
