package reconcile

// Trace, when set, is told what apply and plan are doing and when (for
// LINKS_TRACE; see docs/performance.md). It must be safe to call from
// several goroutines.
var Trace func(format string, args ...any)

// Tracef tells Trace, when set, what is happening (for callers outside
// the package, such as the command's manifest load).
func Tracef(format string, args ...any) { trace(format, args...) }

func trace(format string, args ...any) {
	if Trace != nil {
		Trace(format, args...)
	}
}
