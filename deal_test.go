package hawker

import (
	"testing"
	"time"
)

func TestDealStateAt(t *testing.T) {
	start := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	d := Deal{StartsAt: start, EndsAt: start.Add(time.Minute), State: DealScheduled}
	for _, c := range []struct {
		name   string
		state  DealState
		at     time.Time
		want   DealState
		active bool
	}{
		{"before", DealScheduled, start.Add(-time.Nanosecond), DealScheduled, false},
		{"at the start", DealScheduled, start, DealActive, true},
		{"running", DealScheduled, start.Add(30 * time.Second), DealActive, true},
		{"at the end", DealScheduled, start.Add(time.Minute), DealEnded, false},
		{"after", DealScheduled, start.Add(time.Hour), DealEnded, false},
		{"ended early", DealEnded, start.Add(30 * time.Second), DealEnded, false},
		{"cancelled", DealCancelled, start.Add(-time.Minute), DealCancelled, false},
		{"cancelled, in its old time", DealCancelled, start.Add(30 * time.Second), DealCancelled, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := d
			x.State = c.state
			if got := x.StateAt(c.at); got != c.want {
				t.Errorf("StateAt = %s, want %s", got, c.want)
			}
			if got := x.ActiveAt(c.at); got != c.active {
				t.Errorf("ActiveAt = %v, want %v", got, c.active)
			}
			// A view made for an answer decides the same.
			v := x.At(c.at)
			if v.State != c.want || v.ActiveAt(c.at) != c.active {
				t.Errorf("At: state %s, active %v", v.State, v.ActiveAt(c.at))
			}
			if x.State != c.state {
				t.Errorf("At changed the deal itself")
			}
		})
	}
}

func TestDealOverlaps(t *testing.T) {
	start := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	mk := func(from, to time.Duration) *Deal {
		return &Deal{StartsAt: start.Add(from), EndsAt: start.Add(to)}
	}
	d := mk(0, 10*time.Minute)
	for _, c := range []struct {
		name string
		o    *Deal
		want bool
	}{
		{"same", mk(0, 10*time.Minute), true},
		{"inside", mk(time.Minute, 2*time.Minute), true},
		{"around", mk(-time.Minute, 11*time.Minute), true},
		{"head", mk(-time.Minute, time.Nanosecond), true},
		{"tail", mk(10*time.Minute-time.Nanosecond, 11*time.Minute), true},
		{"just before", mk(-time.Minute, 0), false},
		{"just after", mk(10*time.Minute, 11*time.Minute), false},
	} {
		if got, back := d.Overlaps(c.o), c.o.Overlaps(d); got != c.want || back != c.want {
			t.Errorf("%s: overlaps %v / %v, want %v", c.name, got, back, c.want)
		}
	}
}

func TestDealValidateStart(t *testing.T) {
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	later := now.Add(72 * time.Hour)
	for _, c := range []struct {
		name   string
		starts time.Time
		show   *Show
		ok     bool
	}{
		{"now", now, &Show{}, true},
		{"a client a little behind", now.Add(-MaxDealStartPast), &Show{}, true},
		{"in the past", now.Add(-MaxDealStartPast - time.Millisecond), &Show{}, false},
		{"within a day", now.Add(MaxDealLead), &Show{}, true},
		{"after a day", now.Add(MaxDealLead + time.Second), &Show{}, false},
		{"on the day of a later show", later.Add(time.Hour), &Show{ScheduledAt: &later}, true},
		{"after the day of a later show", later.Add(MaxDealLead + time.Second), &Show{ScheduledAt: &later}, false},
		{"no show", now.Add(time.Hour), nil, true},
	} {
		d := Deal{StartsAt: c.starts}
		err := d.ValidateStart(now, c.show)
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok {
			if e, ok := err.(*Error); !ok || e.Code != EINVALID || e.Field != "starts_at" {
				t.Errorf("%s: %v, want EINVALID on starts_at", c.name, err)
			}
		}
	}
}

func TestDealFingerprint(t *testing.T) {
	type req struct {
		SKU string `json:"sku_id"`
		Q   int64  `json:"quantity"`
	}
	a, b := DealFingerprint(req{"sku_1", 3}), DealFingerprint(req{"sku_1", 3})
	if a != b || len(a) != 64 {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if DealFingerprint(req{"sku_1", 4}) == a {
		t.Errorf("another request has the same fingerprint")
	}
}
