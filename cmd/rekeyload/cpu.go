package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes are the CPU times (user + system) of this process and of the
// server process at one moment.
type cpuTimes struct {
	self, server time.Duration
	serverKnown  bool
	// machine is the busy time of all CPUs (from /proc/stat): with
	// --db postgres it holds the database's share too.
	machine      time.Duration
	machineKnown bool
}

// readCPU reads the CPU time used so far by this process and, when pid is
// not 0, by process pid (from /proc; unknown where there is none).
func readCPU(pid int) cpuTimes {
	var t cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if pid != 0 {
		t.server, t.serverKnown = procCPU(pid)
	}
	t.machine, t.machineKnown = machineCPU()
	return t
}

// machineCPU returns the time all CPUs spent busy since boot: user, nice,
// system, irq and softirq of /proc/stat's first line (not idle, iowait,
// or steal, when the hypervisor ran another machine; guest time is in
// user already).
func machineCPU() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, true
}

// since returns the CPU time used between start and t.
func (t cpuTimes) since(start cpuTimes) cpuTimes {
	return cpuTimes{self: t.self - start.self, server: t.server - start.server,
		serverKnown: t.serverKnown && start.serverKnown, machine: t.machine - start.machine,
		machineKnown: t.machineKnown && start.machineKnown}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procCPU returns utime + stime of process pid from /proc/PID/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0, false
	}
	f := strings.Fields(s[end+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / clockTicks, true
}

// report puts the CPU time per successful renewal into rep: the clients'
// (this process) and the server's, or with the server in this process
// their sum as the clients' figure is not separable.
func (t cpuTimes) report(rep *report, inProcess bool) {
	if rep.Succeeded == 0 {
		return
	}
	per := func(d time.Duration) float64 {
		return float64(d.Microseconds()) / 1000 / float64(rep.Succeeded)
	}
	switch {
	case inProcess:
		rep.CPUms = &cpuPerRenewal{Total: per(t.self)}
	case t.serverKnown:
		rep.CPUms = &cpuPerRenewal{Server: per(t.server), Client: per(t.self),
			Total: per(t.server + t.self)}
	default:
		rep.CPUms = &cpuPerRenewal{Client: per(t.self)}
	}
	if t.machineKnown {
		rep.CPUms.Machine = per(t.machine)
	}
}

// cpuPerRenewal is the CPU time per successful renewal in milliseconds,
// whoever is measurable: the server (a rekeyd serve this run started),
// the clients, and both together.
//
// Machine is the busy time of the whole machine per renewal: the database
// server's processes (--db postgres) and anything else running included.
type cpuPerRenewal struct {
	Server  float64 `json:"server,omitempty"`
	Client  float64 `json:"client,omitempty"`
	Total   float64 `json:"total,omitempty"`
	Machine float64 `json:"machine,omitempty"`
}
