package sanitize

import (
	"errors"
	"fmt"
)

// LogFilter is a klog.LogFilter that makes client-go's own logs (-v=6 and
// up) as safe as every other output: the request URLs they carry, and the
// curl command at -v=9, lose user info and query (URL.String keeps a
// password in clear), and response bodies lose the control characters an
// object's fields may hold (klog writes a multi-line value raw). Newlines
// and tabs stay, so a body still reads as the server sent it.
type LogFilter struct{}

func (LogFilter) Filter(args []any) []any { return logValues(args) }

func (LogFilter) FilterF(format string, args []any) (string, []any) {
	return Message(format), logValues(args)
}

func (LogFilter) FilterS(msg string, keysAndValues []any) (string, []any) {
	return Message(msg), logValues(keysAndValues)
}

// logValues returns a copy of vs with every string, error and Stringer
// made safe; the caller's slice is not changed. Other values (numbers,
// header maps whose Authorization client-go already masks) are kept.
func logValues(vs []any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		switch v := v.(type) {
		case string:
			out[i] = Message(v)
		case error:
			out[i] = errors.New(Message(v.Error()))
		case fmt.Stringer:
			out[i] = Message(v.String())
		default:
			out[i] = v
		}
	}
	return out
}
