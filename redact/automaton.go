package redact

import "sort"

// automaton is an Aho-Corasick matcher over ASCII-folded bytes: one pass over a text finds every
// pattern, in any ASCII case. States keep sparse edges (patterns are few and short), except the
// root, whose dense table makes the common case (no pattern starts here) one lookup.
type automaton struct {
	root   [256]int32
	states []state
	maxLen int
}

type state struct {
	edges []edge
	fail  int32
	depth int32
	// out is the length of the longest pattern ending in this state or along its fail chain
	// (0: none). Shorter matches ending at the same byte lie inside it.
	out int32
}

type edge struct {
	b  byte
	to int32
}

func fold(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func (s *state) next(b byte) int32 {
	for _, e := range s.edges {
		if e.b == b {
			return e.to
		}
	}
	return -1
}

func newAutomaton(patterns []string) *automaton {
	a := &automaton{states: []state{{}}}
	for _, p := range patterns {
		cur := int32(0)
		for i := 0; i < len(p); i++ {
			b := fold(p[i])
			nxt := a.states[cur].next(b)
			if nxt < 0 {
				nxt = int32(len(a.states))
				a.states = append(a.states, state{depth: a.states[cur].depth + 1})
				a.states[cur].edges = append(a.states[cur].edges, edge{b, nxt})
			}
			cur = nxt
		}
		a.states[cur].out = int32(len(p))
		if len(p) > a.maxLen {
			a.maxLen = len(p)
		}
	}
	for i := range a.states {
		es := a.states[i].edges
		sort.Slice(es, func(x, y int) bool { return es[x].b < es[y].b })
	}
	// Breadth first, so a state's fail target is finished before the state itself.
	queue := make([]int32, 0, len(a.states))
	for _, e := range a.states[0].edges {
		a.root[e.b] = e.to
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range a.states[s].edges {
			f := a.states[s].fail
			for {
				if t := a.step(f, e.b); t >= 0 && t != e.to {
					a.states[e.to].fail = t
					break
				}
				if f == 0 {
					a.states[e.to].fail = 0
					break
				}
				f = a.states[f].fail
			}
			if a.states[e.to].out == 0 {
				a.states[e.to].out = a.states[a.states[e.to].fail].out
			}
			queue = append(queue, e.to)
		}
	}
	return a
}

// step follows one edge without failing over; the root never fails (-1 means "no edge").
func (a *automaton) step(s int32, b byte) int32 {
	if s == 0 {
		if t := a.root[b]; t != 0 {
			return t
		}
		return -1
	}
	return a.states[s].next(b)
}

// scan calls found(end, length) for the longest pattern ending at each byte where one ends.
func (a *automaton) scan(text []byte, found func(end, length int)) {
	if len(a.states) == 1 {
		return
	}
	cur := int32(0)
	for i := 0; i < len(text); i++ {
		b := fold(text[i])
		for {
			if t := a.step(cur, b); t >= 0 {
				cur = t
				break
			}
			if cur == 0 {
				break
			}
			cur = a.states[cur].fail
		}
		if n := a.states[cur].out; n > 0 {
			found(i+1, int(n))
		}
	}
}
