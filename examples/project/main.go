// Command scangate-example is the small program the README scans. It is
// deliberately vulnerable: do not copy it.
package main

import (
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/language"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scangate-example LANGUAGE-TAG [COMMAND]")
		os.Exit(2)
	}
	tag, err := parseTag(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tag)
	if len(os.Args) > 2 {
		run(os.Args[2])
	}
	if pw := os.Getenv("EXAMPLE_PASSWORD"); pw != "" {
		fmt.Println(hashPassword(pw))
	}
}

// parseTag calls language.Parse, vulnerable in golang.org/x/text v0.3.6
// (GO-2021-0113). The same package's GO-2022-1059 lists only
// ParseAcceptLanguage and MatchStrings, which nothing here calls, so that
// advisory is only "imported".
func parseTag(s string) (language.Tag, error) {
	return language.Parse(s)
}

// run passes user input to a shell: gosec G204.
func run(command string) {
	out, err := exec.Command("sh", "-c", command).CombinedOutput()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Stdout.Write(out)
}

// hashPassword uses golang.org/x/crypto v0.16.0, whose GO-2023-2402
// (Terrapin) is in package ssh, which nothing here imports: the advisory is
// only "required".
func hashPassword(pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return err.Error()
	}
	return string(h)
}
