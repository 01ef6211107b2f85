package bench

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// chartSeries are the colours of one series of bars: Strata faster (ratio
// above 1) and slower.
type chartSeries struct {
	name         string
	faster, slow string
}

var (
	seriesPostgres = chartSeries{"PostgreSQL", "#2a9d8f", "#e76f51"}
	seriesDuckDB   = chartSeries{"DuckDB", "#264653", "#9b5de5"}
)

// renderChart draws the ratios (PostgreSQL median / Strata median) of
// every query as horizontal bars on a log scale: one group per dataset
// and profile. With DuckDB, each query has a second bar below the first,
// DuckDB median / Strata median, in its own colours and with a legend.
// Self-contained SVG: no scripts, no external fonts.
func renderChart(res *SuiteResult) string {
	type bar struct {
		query  string
		first  bool // the query's first bar, which carries its name
		ratio  float64
		series chartSeries
	}
	duck := res.Config.DuckDB
	var bars []bar
	var heads []int // indexes in bars where a group title goes
	var titles []string
	for _, d := range res.Datasets {
		for _, pr := range d.Profiles {
			heads = append(heads, len(bars))
			title := fmt.Sprintf("%s, PostgreSQL %s profile (geometric mean %.2f×)", d.Name, pr.Profile, pr.GeoMean)
			if duck {
				title = fmt.Sprintf("%s, PostgreSQL %s profile (geometric means: PostgreSQL %.2f×, DuckDB %.2f×)", d.Name, pr.Profile, pr.GeoMean, pr.DuckDBGeoMean)
			}
			titles = append(titles, title)
			for _, q := range pr.Queries {
				bars = append(bars, bar{q.Name, true, q.Ratio, seriesPostgres})
				if duck {
					bars = append(bars, bar{q.Name, false, q.DuckDBRatio, seriesDuckDB})
				}
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
		left, plotW      = 220.0, 520.0
		barH, gap, headH = 18.0, 6.0, 28.0
	)
	top, right := 50.0, 80.0
	if duck {
		top += 22    // the legend
		right += 130 // "DuckDB 0.12×" and the legend's note
	}
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
	if duck {
		p(`<text x="%.0f" y="22" font-size="15" font-weight="bold">Strata vs PostgreSQL and DuckDB: their median / Strata's (log scale; right of 1×: Strata is faster)</text>`+"\n", 10.0)
		lx := 10.0
		for _, s := range []chartSeries{seriesPostgres, seriesDuckDB} {
			p(`<rect x="%.0f" y="36" width="12" height="12" fill="%s"/><rect x="%.0f" y="36" width="12" height="12" fill="%s"/>`+"\n", lx, s.faster, lx+14, s.slow)
			p(`<text x="%.0f" y="46">%s / Strata</text>`+"\n", lx+32, s.name)
			lx += 190
		}
		p(`<text x="%.0f" y="46" fill="#555">(DuckDB runs in-process: no wire protocol)</text>`+"\n", lx)
	} else {
		p(`<text x="%.0f" y="22" font-size="15" font-weight="bold">Strata vs PostgreSQL: PostgreSQL median / Strata median (log scale; right of 1× Strata is faster)</text>`+"\n", 10.0)
	}
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
		color := br.series.faster
		if r < 1 {
			x0, x1 = x1, x0
			color = br.series.slow
		}
		if br.first {
			p(`<text x="%.0f" y="%.0f" text-anchor="end">%s</text>`+"\n", left-8, y+barH-5, html.EscapeString(br.query))
		}
		value := fmt.Sprintf("%.2f×", br.ratio)
		if duck {
			value = br.series.name + " " + value
		}
		p(`<rect x="%.1f" y="%.0f" width="%.1f" height="%.0f" fill="%s"><title>%s: %s</title></rect>`+"\n", x0, y, math.Max(x1-x0, 1), barH, color, html.EscapeString(br.query), html.EscapeString(value))
		p(`<text x="%.1f" y="%.0f" fill="#333">%s</text>`+"\n", math.Max(x0, x1)+4, y+barH-5, html.EscapeString(value))
		y += barH + gap
	}
	p("</svg>\n")
	return b.String()
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%g", f)
	return s
}
