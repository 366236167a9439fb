package server

import "fmt"

func jsonID(m map[string]any) string { return fmt.Sprint(int64(m["id"].(float64))) }
