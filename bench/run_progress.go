package bench

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports what the suite is doing on a writer (stderr): a bar
// with rows/s on a terminal, plain lines otherwise. A nil *progress, or
// one on a nil writer, says nothing.
type progress struct {
	w        io.Writer
	terminal bool
	mu       sync.Mutex
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

func (p *progress) Printf(format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "bench: "+format+"\n", args...)
}

// loadBar counts rows loaded: a progress bar on a terminal, a line every
// few seconds and a summary line otherwise.
type loadBar struct {
	p     *progress
	what  string
	total int64
	bar   *progressbar.ProgressBar
	rows  int64
	start time.Time
	last  time.Time
}

func (p *progress) Bar(what string, total int64) *loadBar {
	b := &loadBar{p: p, what: what, total: total, start: time.Now(), last: time.Now()}
	if p != nil && p.w != nil && p.terminal {
		b.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
		)
	}
	return b
}

func (b *loadBar) Add(n int64) {
	b.rows += n
	if b.bar != nil {
		b.bar.Add64(n)
		return
	}
	if now := time.Now(); now.Sub(b.last) >= 5*time.Second {
		b.last = now
		b.p.Printf("%s: %d/%d rows, %.0f rows/s", b.what, b.rows, b.total, float64(b.rows)/now.Sub(b.start).Seconds())
	}
}

func (b *loadBar) Finish() {
	if b.bar != nil {
		b.bar.Finish()
		b.bar.Clear()
	}
	d := time.Since(b.start)
	b.p.Printf("%s: %d rows in %v (%.0f rows/s)", b.what, b.rows, d.Round(time.Millisecond), float64(b.rows)/d.Seconds())
}
