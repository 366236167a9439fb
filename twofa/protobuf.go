package twofa

import "errors"

// A minimal protocol-buffers reader, enough for the authenticator export
// format: it walks the fields of one message and hands each to a callback.
// Pulling in a protobuf library for two small messages isn't worth it.

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errTruncated = errors.New("truncated protobuf")

// pbField is one decoded field: varint holds wire type 0 values, data holds
// wire type 2 contents (a sub-slice of the message, not a copy).
type pbField struct {
	num    int
	wire   int
	varint uint64
	data   []byte
}

// walkMessage calls fn for each field of msg in order.
func walkMessage(msg []byte, fn func(f pbField) error) error {
	for len(msg) > 0 {
		tag, n := readVarint(msg)
		if n == 0 {
			return errTruncated
		}
		msg = msg[n:]
		f := pbField{num: int(tag >> 3), wire: int(tag & 7)}
		if f.num == 0 {
			return errors.New("protobuf field number 0")
		}
		switch f.wire {
		case wireVarint:
			if f.varint, n = readVarint(msg); n == 0 {
				return errTruncated
			}
			msg = msg[n:]
		case wireBytes:
			l, n := readVarint(msg)
			if n == 0 || l > uint64(len(msg)-n) {
				return errTruncated
			}
			f.data = msg[n : n+int(l)]
			msg = msg[n+int(l):]
		case wireFixed64, wireFixed32:
			size := 8
			if f.wire == wireFixed32 {
				size = 4
			}
			if len(msg) < size {
				return errTruncated
			}
			msg = msg[size:] // no field we read uses these; skip
		default:
			return errors.New("unsupported protobuf wire type")
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// readVarint returns the value and the bytes used, or 0 bytes if b ends
// early or the varint is longer than 64 bits allow.
func readVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
