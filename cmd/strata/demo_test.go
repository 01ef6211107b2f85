package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs the quick-start command on a small load and checks the
// answers it prints: 2000 rows over 200 hosts in 5 regions.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runDemo(context.Background(), &out, 2000); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"loaded 2000 rows",
		"  2000 ",                    // count(*)
		"ap-south    400",            // 2000/5 rows per region
		"2026-01-01 00:00:00    200", // one day, 200 distinct hosts
		"(3 rows;",                   // top-3 hosts by max cpu
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
}

func TestDemoRejectsBadRows(t *testing.T) {
	cmd := demoCmd()
	cmd.SetArgs([]string{"--rows", "0"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--rows must be positive") {
		t.Fatalf("got %v", err)
	}
}
