package server

import (
	"fmt"
	"os"
)

func jsonID(m map[string]any) string { return fmt.Sprint(int64(m["id"].(float64))) }

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
