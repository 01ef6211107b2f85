package query_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a query leaves a worker goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
