package finding

import "testing"

func TestScoreFromVectors(t *testing.T) {
	for _, tc := range []struct {
		vectors []string
		want    float64
		ok      bool
	}{
		// CVE-2022-32149 (golang.org/x/text ParseAcceptLanguage), as GitHub scores it.
		{[]string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}, 7.5, true},
		// CVE-2020-28493 (jinja2 ReDoS).
		{[]string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}, 5.3, true},
		{[]string{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, 9.8, true},
		{[]string{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}, 9.3, true},
		// The highest parseable vector wins; garbage is ignored.
		{[]string{"nonsense", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}, 7.5, true},
		{[]string{"AV:N/AC:L/Au:N/C:P/I:P/A:P"}, 0, false},
		{nil, 0, false},
	} {
		got, ok := ScoreFromVectors(tc.vectors)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ScoreFromVectors(%q) = %v, %v; want %v, %v", tc.vectors, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAdvisorySeverity(t *testing.T) {
	if s, sc := AdvisorySeverity([]string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}, "LOW"); s != High || sc != 7.5 {
		t.Errorf("vector must win over label: got %v %v", s, sc)
	}
	if s, sc := AdvisorySeverity(nil, "MODERATE"); s != Medium || sc != 0 {
		t.Errorf("label: got %v %v", s, sc)
	}
	if s, _ := AdvisorySeverity(nil, ""); s != DefaultVulnSeverity {
		t.Errorf("default: got %v", s)
	}
}
