// Command alert-template expands Grafana-managed alert annotations the way Grafana does
// (grafana/grafana pkg/services/ngalert/state/template/template.go `Expand`): Go text/template with
// missingkey=invalid, the variables $labels, $values and $value defined in front of the template, $value
// being the whole evaluation string and $values each expression's labels and number.
//
// Input (stdin, JSON): {"templates": {"summary": "..."}, "labels": {...}, "values": {"B": 1001}, "value": "..."}
// Output (stdout, JSON): the expanded templates by name, or an error on stderr and exit 1.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

type Labels map[string]string

func (l Labels) String() string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ", ")
}

type Value struct {
	Labels Labels
	Value  float64
}

func (v Value) String() string {
	abs := math.Abs(v.Value)
	if abs == 0 {
		return "0"
	}
	precision := 2 - (int(math.Floor(math.Log10(abs))) + 1)
	if precision < 0 {
		precision = 0
	}
	return strconv.FormatFloat(v.Value, 'f', precision, 64)
}

type Data struct {
	Labels Labels
	Values map[string]Value
	Value  string
}

type input struct {
	Templates map[string]string  `json:"templates"`
	Labels    map[string]string  `json:"labels"`
	Values    map[string]float64 `json:"values"`
	Value     string             `json:"value"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(err)
	}
	data := Data{Labels: in.Labels, Values: map[string]Value{}, Value: in.Value}
	for ref, v := range in.Values {
		data.Values[ref] = Value{Labels: in.Labels, Value: v}
	}
	out := map[string]string{}
	for name, text := range in.Templates {
		tmpl, err := template.New("__alert_" + name).Option("missingkey=invalid").
			Parse("{{- $labels := .Labels -}}{{- $values := .Values -}}{{- $value := .Value -}}" + text)
		if err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, data); err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		out[name] = strings.ReplaceAll(b.String(), "<no value>", "[no value]")
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
