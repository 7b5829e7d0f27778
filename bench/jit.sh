# CPU readings from /proc, shared by the benchmark scripts (sourced): a process's (all of it, or its
# time in the kernel), and its JIT compilers'. Compiling competes with the event loops for the cores, and on two cores a burst of it
# is what a tail latency shows first, so a run that measures a JVM says how much its JIT worked.
CLK_TCK=$(getconf CLK_TCK)

stat_ticks() { # stat-file (a process's or a thread's) [sys]: its utime+stime (or stime) in clock ticks; fails when gone
    local s what=${2:-all}
    s=$(cat "$1" 2>/dev/null) || return 1
    s=${s##*) }
    set -- $s
    if [ "$what" = sys ]; then echo "${13}"; else echo $((${12} + ${13})); fi
}

# CPU of a JVM's JIT compiler threads (C1 and C2) in clock ticks.
jit_ticks() { # pid
    local pid=$1 total=0 task comm ticks
    for task in /proc/"$pid"/task/*; do
        comm=$(cat "$task/comm" 2>/dev/null) || continue
        case $comm in
            "C1 CompilerThre"* | "C2 CompilerThre"*)
                ticks=$(stat_ticks "$task/stat") || continue # a compiler thread that ended
                total=$((total + ticks)) ;;
        esac
    done
    echo "$total"
}

ticks_ms() { echo $(($1 * 1000 / CLK_TCK)); }
