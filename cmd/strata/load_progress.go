package main

import (
	"io"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// loadProgress draws a bar of rows sent (with rows/s) on a terminal. For
// Parquet the total is known; for a text file it is estimated from the
// bytes read; from standard input it is unknown. A nil *loadProgress
// draws nothing.
type loadProgress struct {
	bar  *progressbar.ProgressBar
	src  *loadSource
	size int64 // the text file's size; 0 if unknown
	rows int64
}

func (p *loadProgress) bytesRead() int64 {
	if p.src.counter == nil {
		return 0
	}
	return p.src.counter.n.Load()
}

func newLoadProgress(w io.Writer, src *loadSource) *loadProgress {
	if w == nil {
		return nil
	}
	total := int64(-1)
	if src.parquet != nil {
		total = src.parquet.numRows()
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("loading"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	return &loadProgress{bar: bar, src: src, size: src.size}
}

func (p *loadProgress) add(rows int64) {
	if p == nil {
		return
	}
	p.rows += rows
	if read := p.bytesRead(); p.size > 0 && read > 0 {
		// Estimate the file's rows from the bytes read so far (the reader
		// runs ahead by a buffer, so this is a little low until the end).
		p.bar.ChangeMax64(max(p.rows, p.rows*p.size/read))
	}
	p.bar.Add64(rows)
}

func (p *loadProgress) finish() {
	if p == nil {
		return
	}
	p.bar.Finish()
	p.bar.Clear()
}
