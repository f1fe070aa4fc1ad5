// Command kubectl-yaml reads a YAML stream on stdin the way `kubectl apply -f` does (apimachinery's
// YAMLReader splits documents, sigs.k8s.io/yaml converts each through go-yaml's YAML 1.1 parser) and
// prints the documents as one JSON array. Tests parse generated ServiceEntries with it, so what they
// check is what kubectl would apply, not what a YAML 1.2 library reads.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	reader := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	docs := []json.RawMessage{}
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(err)
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			fail(err)
		}
		if string(j) != "null" {
			docs = append(docs, j)
		}
	}
	out, err := json.Marshal(docs)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
