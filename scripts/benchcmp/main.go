// Command benchcmp measures rekey's GOST primitives and OpenSSL 3 with the
// GOST engine on the same operations in one run, and prints the speed ratio
// rekey/OpenSSL per line (above 1.0 means rekey is faster).
//
// Usage:
//
//	go run ./scripts/benchcmp [-time 1s] [-purego] [-only REGEXP]
//
// It compiles openssl/ossl_bench.c with the system C compiler against libcrypto
// (Debian packages gcc and libssl-dev) and runs `go test -bench` on the
// gost packages. Timing is never asserted anywhere; this only reports.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"rekey/internal/ossltest"
)

// goBench maps an operation name printed by ossl_bench to the package and
// benchmark (as printed by go test, without the -N CPU suffix) that measures
// the same operation in rekey.
var goBench = map[string][2]string{}

func init() {
	curves := []string{"TC26-256-A", "CryptoPro-A", "CryptoPro-B", "CryptoPro-C",
		"TC26-512-A", "TC26-512-B", "TC26-512-C"}
	for _, c := range curves {
		goBench["keygen/"+c] = [2]string{"./gost/gost3410/", "BenchmarkGenerateKey/" + c}
		goBench["sign/"+c] = [2]string{"./gost/gost3410/", "BenchmarkSign/" + c}
		goBench["verify/"+c] = [2]string{"./gost/gost3410/", "BenchmarkVerify/" + c}
		// OpenSSL's derive gives the 256-bit KEK on every curve.
		goBench["vko/"+c] = [2]string{"./gost/vko/", "BenchmarkKEK256/" + c}
	}
	goBench["streebog256/8KiB"] = [2]string{"./gost/streebog/", "BenchmarkSum256/8KiB"}
	goBench["streebog512/8KiB"] = [2]string{"./gost/streebog/", "BenchmarkSum512/8KiB"}
	goBench["streebog512/64B"] = [2]string{"./gost/streebog/", "BenchmarkSum512/64B"}
	goBench["kuznyechik-ctr/8KiB"] = [2]string{"./gost/kuznyechik/", "BenchmarkCTR/8KiB"}
	goBench["magma-ctr/8KiB"] = [2]string{"./gost/magma/", "BenchmarkCTR/8KiB"}
}

func main() {
	benchtime := flag.Duration("time", time.Second, "time per operation on each side")
	purego := flag.Bool("purego", false, "measure rekey's portable (purego) arithmetic")
	only := flag.String("only", "", "measure only operations matching this regular expression")
	flag.Parse()
	filter, err := regexp.Compile(*only)
	if err != nil {
		fatal("bad -only: %v", err)
	}

	peer, err := runOpenSSL(*benchtime)
	if err != nil {
		fatal("%v", err)
	}
	ours, err := runGo(*benchtime, *purego, filter)
	if err != nil {
		fatal("%v", err)
	}
	report(peer, ours, filter)
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchcmp: error: "+format+"\n", args...)
	os.Exit(1)
}

// runOpenSSL builds and runs ossl_bench; it returns ns/op per operation.
func runOpenSSL(d time.Duration) (map[string]float64, error) {
	o, err := ossltest.Locate()
	if err != nil {
		return nil, fmt.Errorf("%v (run scripts/test once to install it)", err)
	}
	dir, err := os.MkdirTemp("", "rekey-benchcmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "ossl_bench")
	src := filepath.Join("scripts", "benchcmp", "openssl", "ossl_bench.c")
	cc := exec.Command("cc", "-O2", "-o", bin, src, "-lcrypto")
	if out, err := cc.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compiling %s: %v\n%s\nhint: apt-get install gcc libssl-dev",
			src, err, out)
	}
	fmt.Fprintf(os.Stderr, "benchcmp: measuring OpenSSL %s per operation…\n", d)
	cmd := exec.Command(bin, strconv.FormatFloat(d.Seconds(), 'f', 3, 64))
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+o.Conf)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running ossl_bench: %v", err)
	}
	res := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			res[f[0]] = v
		}
	}
	return res, nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op`)

// runGo runs the Go benchmarks that have an OpenSSL counterpart.
func runGo(d time.Duration, purego bool, filter *regexp.Regexp) (map[string]float64, error) {
	byPkg := map[string][]string{}
	for op, b := range goBench {
		if filter.MatchString(op) {
			byPkg[b[0]] = append(byPkg[b[0]], b[1])
		}
	}
	res := map[string]float64{}
	for pkg, names := range byPkg {
		top := map[string]bool{}
		for _, n := range names {
			top[strings.SplitN(n, "/", 2)[0]] = true
		}
		var tops []string
		for t := range top {
			tops = append(tops, t)
		}
		args := []string{"test", "-run", "^$", "-bench", "^(" + strings.Join(tops, "|") + ")$",
			"-benchtime", d.String()}
		if purego {
			args = append(args, "-tags", "purego")
		}
		args = append(args, pkg)
		fmt.Fprintf(os.Stderr, "benchcmp: go %s\n", strings.Join(args, " "))
		cmd := exec.Command("go", args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go test -bench %s: %v\n%s", pkg, err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			m := benchLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if v, err := strconv.ParseFloat(m[2], 64); err == nil {
				res[pkg+" "+m[1]] = v
			}
		}
	}
	ops := map[string]float64{}
	for op, b := range goBench {
		if v, ok := res[b[0]+" "+b[1]]; ok {
			ops[op] = v
		}
	}
	return ops, nil
}

func report(peer, ours map[string]float64, filter *regexp.Regexp) {
	var ops []string
	for op := range goBench {
		if filter.MatchString(op) {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	fmt.Printf("%-22s %14s %14s %8s\n", "operation", "rekey ns/op", "openssl ns/op", "ratio")
	for _, op := range ops {
		r, okR := ours[op]
		p, okP := peer[op]
		switch {
		case okR && okP:
			fmt.Printf("%-22s %14.0f %14.0f %7.2fx\n", op, r, p, p/r)
		case okP:
			fmt.Printf("%-22s %14s %14.0f %8s\n", op, "missing", p, "-")
		case okR:
			fmt.Printf("%-22s %14.0f %14s %8s\n", op, r, "missing", "-")
		}
	}
}
