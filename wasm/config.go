//go:build js && wasm

package main

import (
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/diagnosis"
)

// pageConfig is what the server writes into <script id="config">.
type pageConfig struct {
	Targets    []diagnosis.Target // "targets": [{"origin", "path"}]
	SupportURL string             // "supportUrl"
}

// errNoEndpoint is the start-up error of a configuration without targets,
// or one that does not read.
var errNoEndpoint = errors.New("no endpoint is configured")

// readConfig reads the page's configuration with the browser's
// JSON.parse: the first call of encoding/json's decoder is slow in the
// browser (its code is compiled on first use), and all of it was before
// ready, for a few fields.
func readConfig(raw string) (pageConfig, error) {
	var cfg pageConfig
	parser, err := safejs.Global().Get("JSON")
	if err != nil {
		return cfg, err
	}
	v, err := parser.Call("parse", raw)
	if err != nil || v.Type() != safejs.TypeObject {
		return cfg, errNoEndpoint
	}
	if cfg.SupportURL, err = stringField(v, "supportUrl"); err != nil {
		return cfg, errNoEndpoint
	}
	targets, err := v.Get("targets")
	if err != nil || targets.Type() != safejs.TypeObject {
		return cfg, errNoEndpoint
	}
	for i := range jsutil.Int(targets, "length") {
		t, err := targets.Index(i)
		if err != nil {
			return cfg, errNoEndpoint
		}
		var target diagnosis.Target
		if target.Origin, err = stringField(t, "origin"); err != nil {
			return cfg, errNoEndpoint
		}
		if target.Path, err = stringField(t, "path"); err != nil {
			return cfg, errNoEndpoint
		}
		cfg.Targets = append(cfg.Targets, target)
	}
	if len(cfg.Targets) == 0 {
		return cfg, errNoEndpoint
	}
	return cfg, nil
}

// stringField is v[name] as a string, "" when absent or null (as
// encoding/json leaves a missing field), an error for another type.
func stringField(v safejs.Value, name string) (string, error) {
	f, err := v.Get(name)
	if err != nil {
		return "", err
	}
	switch f.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return "", nil
	case safejs.TypeString:
		return f.String()
	}
	return "", errNoEndpoint
}
