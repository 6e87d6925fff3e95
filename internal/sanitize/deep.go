package sanitize

import "reflect"

// Strings returns a deep copy of v with f applied to every string it holds
// in exported fields, slices, arrays, maps (keys too) and pointers, so that
// a renderer can make a whole document safe at once: a field added later
// is covered without anyone remembering it. Unexported fields are copied
// as they are.
func Strings[T any](v T, f func(string) string) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	out.Set(mapValue(rv, f))
	return out.Interface().(T)
}

func mapValue(v reflect.Value, f func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		n := reflect.New(v.Type()).Elem()
		n.SetString(f(v.String()))
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(mapValue(v.Elem(), f))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(mapValue(v.Elem(), f))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(mapValue(v.Field(i), f))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(mapValue(v.Index(i), f))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(mapValue(v.Index(i), f))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(mapValue(it.Key(), f), mapValue(it.Value(), f))
		}
		return n
	}
	return v
}
