package config

import "slices"

// knownRules are the rule IDs of the scanners whose configuration names
// rules, checked as the file is read so that a typo is an error at its line
// rather than a scan that cannot complete. config imports no adapter (gosec's
// own list would link gosec into every user of config), so these are
// copies: the gosec and bandit packages' tests check them against their
// catalogues. bandit's are every check up to bandit 1.9; an older bandit
// that lacks one still says so at scan time.
var knownRules = map[string][]string{
	"gosec": {
		"G101", "G102", "G103", "G104", "G106", "G107", "G108", "G109", "G110", "G111", "G112",
		"G113", "G114", "G115", "G116", "G117", "G118", "G119", "G120", "G121", "G122", "G123",
		"G124", "G125", "G201", "G202", "G203", "G204", "G301", "G302", "G303", "G304", "G305",
		"G306", "G307", "G401", "G402", "G403", "G404", "G405", "G406", "G407", "G408", "G501",
		"G502", "G503", "G504", "G505", "G506", "G507", "G601", "G602", "G701", "G702", "G703",
		"G704", "G705", "G706", "G707", "G708", "G709", "G710",
	},
	"bandit": {
		"B101", "B102", "B103", "B104", "B105", "B106", "B107", "B108", "B110", "B112", "B113",
		"B201", "B202", "B301", "B302", "B303", "B304", "B305", "B306", "B307", "B308", "B309",
		"B310", "B311", "B312", "B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320",
		"B321", "B322", "B323", "B324", "B325", "B401", "B402", "B403", "B404", "B405", "B406",
		"B407", "B408", "B409", "B410", "B411", "B412", "B413", "B415", "B501", "B502", "B503",
		"B504", "B505", "B506", "B507", "B508", "B509", "B601", "B602", "B603", "B604", "B605",
		"B606", "B607", "B608", "B609", "B610", "B611", "B612", "B613", "B614", "B615", "B701",
		"B702", "B703", "B704",
	},
}

// Rules returns the rule IDs the configuration accepts for a scanner
// ("gosec", "bandit"), sorted; nil for a scanner configured without rules.
func Rules(scanner string) []string { return slices.Clone(knownRules[scanner]) }
