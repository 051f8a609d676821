package config

import (
	"reflect"

	"gopkg.in/yaml.v3"
)

// Redacted is the string used in place of a secret value.
const Redacted = "[REDACTED]"

// Redacted returns a copy of the configuration as a nested map with every key
// tagged secret replaced by Redacted (when set), suitable for logging.
func (c Config) Redacted() map[string]any {
	return redactValue(reflect.ValueOf(c)).(map[string]any)
}

func redactValue(v reflect.Value) any {
	if v.Type() == reflect.TypeOf(Duration(0)) {
		return Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return redactValue(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, ok := yamlName(f)
			if !ok {
				continue
			}
			fv := v.Field(i)
			if f.Tag.Get("secret") == "true" {
				out[name] = redactSecret(fv)
				continue
			}
			out[name] = redactValue(fv)
		}
		return out
	default:
		return v.Interface()
	}
}

func redactSecret(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = Redacted
		}
		return out
	default:
		if v.IsZero() {
			return ""
		}
		return Redacted
	}
}

// RedactedYAML renders Redacted as YAML (for `server config` dumps).
func (c Config) RedactedYAML() string {
	b, _ := yaml.Marshal(c.Redacted())
	return string(b)
}
