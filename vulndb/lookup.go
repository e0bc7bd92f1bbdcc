package vulndb

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"strings"
)

// SeverityLookup reads advisories' severities from the database's
// per-ecosystem zips, which hold every imported record (GHSA and PYSEC as
// well as GO-), so that an unscored advisory can take the severity of an
// alias (finding.RateFromAliases). Each zip is opened once, on first use;
// call Close when done.
type SeverityLookup struct {
	db   *DB
	zips map[string]*zipIndex // ecosystem -> index, nil when absent
}

type zipIndex struct {
	rc    *zip.ReadCloser
	files map[string]*zip.File // upper-cased ID -> entry
}

// SeverityLookup returns a lookup over db.
func (db *DB) SeverityLookup() *SeverityLookup {
	return &SeverityLookup{db: db, zips: map[string]*zipIndex{}}
}

// Severity returns the CVSS vectors and database_specific.severity of the
// advisory id in ecosystem; ok is false when the database does not hold it
// or it cannot be read (the finding then keeps "severity unknown").
func (l *SeverityLookup) Severity(ecosystem, id string) (vectors []string, label string, ok bool) {
	z := l.index(ecosystem)
	if z == nil {
		return nil, "", false
	}
	zf := z.files[strings.ToUpper(id)]
	if zf == nil {
		return nil, "", false
	}
	r, err := zf.Open()
	if err != nil {
		return nil, "", false
	}
	defer r.Close()
	var rec struct {
		Severity []struct {
			Type  string `json:"type"`
			Score string `json:"score"`
		} `json:"severity"`
		DatabaseSpecific struct {
			Severity any `json:"severity"`
		} `json:"database_specific"`
	}
	// Records were validated at import; the cap only bounds a damaged file.
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(&rec); err != nil {
		return nil, "", false
	}
	for _, s := range rec.Severity {
		if strings.HasPrefix(s.Type, "CVSS_") {
			vectors = append(vectors, s.Score)
		}
	}
	label, _ = rec.DatabaseSpecific.Severity.(string)
	return vectors, label, true
}

func (l *SeverityLookup) index(ecosystem string) *zipIndex {
	if z, ok := l.zips[ecosystem]; ok {
		return z
	}
	l.zips[ecosystem] = nil
	if ecosystem == "" || strings.ContainsAny(ecosystem, `/\`) || strings.Contains(ecosystem, "..") {
		return nil
	}
	p := EcosystemZip(l.db.OSVScannerDir(), ecosystem)
	if _, err := os.Stat(p); err != nil {
		return nil
	}
	rc, err := zip.OpenReader(p)
	if err != nil {
		return nil
	}
	z := &zipIndex{rc: rc, files: map[string]*zip.File{}}
	for _, f := range rc.File {
		if id, ok := strings.CutSuffix(f.Name, ".json"); ok && !strings.Contains(id, "/") {
			z.files[strings.ToUpper(id)] = f
		}
	}
	l.zips[ecosystem] = z
	return z
}

// Close closes the zips the lookup opened.
func (l *SeverityLookup) Close() error {
	for _, z := range l.zips {
		if z != nil {
			z.rc.Close()
		}
	}
	return nil
}
