package e2e

import (
	"testing"

	"github.com/playwright-community/playwright-go"
)

// checkTableFills: the table's visible columns reach the right edge of its card (no blank strip
// beside the last column) and no row's invoice number is cut short.
func checkTableFills(t *testing.T, page playwright.Page, when string) {
	t.Helper()
	v, err := page.Evaluate(`() => {
		const table = document.querySelector('#invoices');
		const heads = [...table.querySelectorAll('thead th')].filter((th) => th.offsetWidth > 0);
		const gap = table.parentElement.getBoundingClientRect().right - heads.at(-1).getBoundingClientRect().right;
		const cut = [...table.querySelectorAll('tbody tr[data-invoice-id] td.number button')]
			.filter((b) => b.scrollWidth > b.clientWidth + 1 || b.getBoundingClientRect().right > b.parentElement.getBoundingClientRect().right)
			.map((b) => b.innerText);
		return { gap, cut, columns: heads.map((th) => th.innerText.trim() + ' ' + Math.round(th.offsetWidth)) };
	}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	t.Logf("%s: columns %v", when, m["columns"])
	if gap := toFloat(m["gap"]); gap > 3 {
		t.Errorf("%s the table's columns end %.0f px before the right edge of its card", when, gap)
	}
	if cut, _ := m["cut"].([]any); len(cut) > 0 {
		t.Errorf("%s the invoice number is cut short in %d rows, e.g. %v", when, len(cut), cut[0])
	}
}

// checkSnippetReadable: a search result shows the invoice's title and, under it, the match in
// context, with the marked words inside what the cell shows (not clipped away).
func checkSnippetReadable(t *testing.T, page playwright.Page, when string) {
	t.Helper()
	v, err := page.Evaluate(`() => {
		const snip = document.querySelector('#invoices tbody tr[data-invoice-id] [data-testid=snippet]');
		const cell = snip.closest('td');
		const title = cell.querySelector('.title-text') || cell;
		const s = snip.getBoundingClientRect(), m = snip.querySelector('mark').getBoundingClientRect();
		const t = title.getBoundingClientRect();
		return {
			title: title.offsetWidth > 0 && title.scrollWidth <= title.clientWidth + 1 ? title.innerText : '',
			markInside: m.width > 0 && m.left >= s.left - 1 && m.right <= s.right + 1 && m.bottom <= s.bottom + 1,
			below: s.top >= t.bottom - 1,
			chars: snip.innerText.length, width: Math.round(s.width),
		};
	}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	t.Logf("%s: snippet %v chars in %v px under the title %q", when, m["chars"], m["width"], m["title"])
	if m["title"] == "" {
		t.Errorf("%s the search result does not show the invoice's title in full", when)
	}
	if m["below"] != true {
		t.Errorf("%s the snippet is not on a line of its own under the title", when)
	}
	if m["markInside"] != true {
		t.Errorf("%s the snippet's marked match is clipped out of view", when)
	}
}
