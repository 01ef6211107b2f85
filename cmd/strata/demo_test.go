package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEngineDemo runs the in-process engine demo on a small load and
// checks the answers it prints: 2000 rows over 200 hosts in 5 regions.
func TestEngineDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runEngineDemo(context.Background(), &out, 2000); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"loaded 2000 rows",
		"  2000 | ",                    // count(*)
		" ap-south |   400 | ",         // 2000/5 rows per region
		" 2026-01-01 00:00:00 |   200", // one day, 200 distinct hosts
		"(3 rows;",                     // top-3 hosts by max cpu
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
}

func TestDemoRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--engine", "--rows", "0"}, "--rows must be positive"},
		{[]string{"--rate", "-1"}, "must not be negative"},
		{[]string{"--rows", "-5"}, "must not be negative"},
	} {
		cmd := demoCmd()
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%v: got %v", tc.args, err)
		}
	}
}
