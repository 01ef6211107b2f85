package bench

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// renderChart draws the ratios (PostgreSQL median / Strata median) of
// every query as horizontal bars on a log scale: one group per dataset
// and profile. Self-contained SVG: no scripts, no external fonts.
func renderChart(res *SuiteResult) string {
	type bar struct {
		label string
		ratio float64
	}
	var bars []bar
	var heads []int // indexes in bars where a group title goes
	var titles []string
	for _, d := range res.Datasets {
		for _, pr := range d.Profiles {
			heads = append(heads, len(bars))
			titles = append(titles, fmt.Sprintf("%s, PostgreSQL %s profile (geometric mean %.2f×)", d.Name, pr.Profile, pr.GeoMean))
			for _, q := range pr.Queries {
				bars = append(bars, bar{q.Name, q.Ratio})
			}
		}
	}
	lo, hi := 1.0, 1.0
	for _, b := range bars {
		if b.ratio > 0 {
			lo, hi = math.Min(lo, b.ratio), math.Max(hi, b.ratio)
		}
	}
	minExp, maxExp := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if maxExp == minExp {
		maxExp++
	}
	const (
		left, plotW, right = 220.0, 520.0, 80.0
		barH, gap, headH   = 18.0, 6.0, 28.0
		top                = 50.0
	)
	height := top + float64(len(bars))*(barH+gap) + float64(len(heads))*headH + 40
	width := left + plotW + right
	x := func(r float64) float64 {
		return left + (math.Log10(r)-minExp)/(maxExp-minExp)*plotW
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="%.0f" y="22" font-size="15" font-weight="bold">Strata vs PostgreSQL: PostgreSQL median / Strata median (log scale; right of 1× Strata is faster)</text>`+"\n", 10.0)
	axisBottom := height - 30
	for e := minExp; e <= maxExp; e++ {
		r := math.Pow(10, e)
		p(`<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", x(r), top-10, x(r), axisBottom)
		p(`<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%s×</text>`+"\n", x(r), axisBottom+15, trimFloat(r))
	}
	p(`<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#333" stroke-width="1.5"/>`+"\n", x(1), top-10, x(1), axisBottom)
	y := top
	hi2 := 0
	for i, br := range bars {
		if hi2 < len(heads) && heads[hi2] == i {
			p(`<text x="10" y="%.0f" font-weight="bold">%s</text>`+"\n", y+16, html.EscapeString(titles[hi2]))
			y += headH
			hi2++
		}
		r := math.Max(br.ratio, math.Pow(10, minExp))
		x0, x1 := x(1), x(r)
		color := "#2a9d8f"
		if r < 1 {
			x0, x1 = x1, x0
			color = "#e76f51"
		}
		p(`<text x="%.0f" y="%.0f" text-anchor="end">%s</text>`+"\n", left-8, y+barH-5, html.EscapeString(br.label))
		p(`<rect x="%.1f" y="%.0f" width="%.1f" height="%.0f" fill="%s"><title>%s: %.2f×</title></rect>`+"\n", x0, y, math.Max(x1-x0, 1), barH, color, html.EscapeString(br.label), br.ratio)
		p(`<text x="%.1f" y="%.0f" fill="#333">%.2f×</text>`+"\n", math.Max(x0, x1)+4, y+barH-5, br.ratio)
		y += barH + gap
	}
	p("</svg>\n")
	return b.String()
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%g", f)
	return s
}
