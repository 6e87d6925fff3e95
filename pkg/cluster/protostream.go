package cluster

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// fields reads the fields of one protobuf message from a stream, one at a
// time, holding no more of it than the value being read. Its checks are
// protowire's: a varint of at most ten bytes, a length within the message,
// a field number in range, groups closed by their own number and nested at
// most protowire.DefaultRecursionLimit deep.
type fields struct {
	r *bufio.Reader
	// left is how many bytes of the message are still to read; -1 when the
	// message runs to the end of the stream (the envelope).
	left int64
}

var errVarintOverflow = errors.New("a varint overflows 64 bits")

// next reads the tag of the next field; io.EOF when the message ends
// where a field could begin.
func (f *fields) next() (protowire.Number, protowire.Type, error) {
	if f.left == 0 {
		return 0, 0, io.EOF
	}
	if f.left < 0 {
		if _, err := f.r.Peek(1); err != nil {
			return 0, 0, err
		}
	}
	v, err := f.varint()
	if err != nil {
		return 0, 0, err
	}
	num, typ := protowire.DecodeTag(v)
	if num < protowire.MinValidNumber {
		return 0, 0, fmt.Errorf("invalid field number %d", num)
	}
	return num, typ, nil
}

// take accounts for n bytes of the message about to be read.
func (f *fields) take(n uint64) error {
	if f.left >= 0 {
		if n > uint64(f.left) {
			return io.ErrUnexpectedEOF
		}
		f.left -= int64(n)
	}
	return nil
}

func (f *fields) varint() (uint64, error) {
	var v uint64
	for i := range 10 {
		if err := f.take(1); err != nil {
			return 0, err
		}
		b, err := f.r.ReadByte()
		if err != nil {
			return 0, unexpected(err)
		}
		if i == 9 && b > 1 {
			return 0, errVarintOverflow
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errVarintOverflow
}

// length reads the length of a bytes field and accounts for its value.
func (f *fields) length() (int64, error) {
	n, err := f.varint()
	if err != nil {
		return 0, err
	}
	// Beyond int64 a length would read as negative, and a negative left
	// means "to the end of the stream": a hostile page would end its list
	// there, short, without an error.
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("a length of %d bytes", n)
	}
	if err := f.take(n); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// bytes reads the value of a bytes field into buf, which grows with what
// arrives (never with what the length claims), and returns it.
func (f *fields) bytes(buf *bytes.Buffer) ([]byte, error) {
	n, err := f.length()
	if err != nil {
		return nil, err
	}
	buf.Reset()
	got, err := buf.ReadFrom(io.LimitReader(f.r, n))
	if err != nil {
		return nil, err
	}
	if got < n {
		return nil, io.ErrUnexpectedEOF
	}
	return buf.Bytes(), nil
}

// message returns the reader of the message held by the bytes field whose
// tag was just read. It must be read to its end before f reads on.
func (f *fields) message() (*fields, error) {
	n, err := f.length()
	if err != nil {
		return nil, err
	}
	return &fields{r: f.r, left: n}, nil
}

func (f *fields) discard(n int64) error {
	for n > 0 {
		d, err := f.r.Discard(int(min(n, 1<<20)))
		n -= int64(d)
		if err != nil {
			return unexpected(err)
		}
	}
	return nil
}

// skip reads past the value of a field the reader does not want.
func (f *fields) skip(num protowire.Number, typ protowire.Type) error {
	return f.skipDepth(num, typ, protowire.DefaultRecursionLimit)
}

func (f *fields) skipDepth(num protowire.Number, typ protowire.Type, depth int) error {
	switch typ {
	case protowire.VarintType:
		_, err := f.varint()
		return err
	case protowire.Fixed32Type, protowire.Fixed64Type:
		n := uint64(4)
		if typ == protowire.Fixed64Type {
			n = 8
		}
		if err := f.take(n); err != nil {
			return err
		}
		return f.discard(int64(n))
	case protowire.BytesType:
		n, err := f.length()
		if err != nil {
			return err
		}
		return f.discard(n)
	case protowire.StartGroupType:
		if depth == 0 {
			return errors.New("groups nested too deep")
		}
		for {
			n, t, err := f.next()
			if err != nil {
				return unexpected(err)
			}
			if t == protowire.EndGroupType {
				if n != num {
					return fmt.Errorf("group %d ended as %d", num, n)
				}
				return nil
			}
			if err := f.skipDepth(n, t, depth-1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("field %d has wire type %d where none can be", num, typ)
}

// unexpected turns the end of the stream inside a value into an error.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
