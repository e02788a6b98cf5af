// chart-render renders a Helm chart the way `helm template` does, for machines without helm: Go's text/template with
// sprig's functions and Helm's own (include, tpl, required, toYaml, fromYaml, toJson, fromJson, lookup), values
// coalesced as Helm coalesces them (maps merge, lists and scalars replace, null deletes), numbers read as float64 as
// Helm's YAML reader reads them, and NOTES.txt rendered too so that its checks run.
//
// It checks what the C# chart tests cannot: that every template executes with given values, and what it renders.
// It does not validate values.schema.json (the C# tests do) and knows no cluster (lookup finds nothing).
//
//	chart-render [-name qs] [-namespace default] [-kube-version v1.31.0] [-f values.yaml]... CHART_DIR
//
// Prints the manifests as `helm template` does ("---" and "# Source:" before each); exits 1 with the error when a
// template fails (a `fail` or `required` among them).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	name := flag.String("name", "qs", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.31.0", "Kubernetes version for .Capabilities")
	var files valueFiles
	flag.Var(&files, "f", "values file over the chart's values.yaml (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: chart-render [-f values.yaml]... CHART_DIR")
		os.Exit(2)
	}

	out, err := render(flag.Arg(0), *name, *namespace, *kubeVersion, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}

func render(chartDir, name, namespace, kubeVersion string, files []string) (string, error) {
	chart, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	chartName, _ := chart["name"].(string)

	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, file := range files {
		user, err := readYAMLMap(file)
		if err != nil {
			return "", err
		}
		values = coalesce(user, values)
	}

	chartFiles, err := readFiles(chartDir)
	if err != nil {
		return "", err
	}

	templates := template.New("chart")
	templates.Option("missingkey=zero")
	templates.Funcs(funcs(templates))
	var names []string
	for file, content := range chartFiles {
		if !strings.HasPrefix(file, "templates/") {
			continue
		}
		templateName := path.Join(chartName, file)
		if _, err := templates.New(templateName).Parse(string(content)); err != nil {
			return "", err
		}
		names = append(names, templateName)
	}
	sort.Strings(names)

	major, minor := kubeMajorMinor(kubeVersion)
	var out strings.Builder
	for _, templateName := range names {
		base := path.Base(templateName)
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := map[string]interface{}{
			"Values":  values,
			"Release": map[string]interface{}{"Name": name, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
			"Chart": map[string]interface{}{
				"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"],
				"Description": chart["description"], "Type": chart["type"], "KubeVersion": chart["kubeVersion"],
			},
			"Capabilities": map[string]interface{}{
				"KubeVersion": map[string]interface{}{"Version": kubeVersion, "GitVersion": kubeVersion, "Major": major, "Minor": minor},
			},
			"Template": map[string]interface{}{"Name": templateName, "BasePath": path.Join(chartName, "templates")},
			"Files":    chartFiles,
		}
		var buffer bytes.Buffer
		if err := templates.ExecuteTemplate(&buffer, templateName, data); err != nil {
			return "", err
		}
		rendered := strings.ReplaceAll(buffer.String(), "<no value>", "")
		if base == "NOTES.txt" || strings.TrimSpace(rendered) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", templateName, strings.TrimRight(rendered, "\n"))
	}
	return out.String(), nil
}

// files are the chart's files by path relative to the chart, with Helm's .Files methods.
type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func (f files) Glob(pattern string) files {
	matched := files{}
	for name, content := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = content
		}
	}
	return matched
}

func readFiles(chartDir string) (files, error) {
	all := files{}
	err := filepath.Walk(chartDir, func(file string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		relative, err := filepath.Rel(chartDir, file)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(file)
		all[filepath.ToSlash(relative)] = content
		return err
	})
	return all, err
}

// readYAMLMap reads a YAML mapping as Helm does: through JSON, so numbers are float64.
func readYAMLMap(file string) (map[string]interface{}, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(content, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return values, nil
}

// coalesce lays user values over defaults as Helm does: maps merge key by key, a user's null deletes the key, and
// anything else (lists included) replaces the default.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	merged := map[string]interface{}{}
	for key, value := range defaults {
		merged[key] = value
	}
	for key, value := range user {
		if value == nil {
			delete(merged, key)
			continue
		}
		userMap, userIsMap := value.(map[string]interface{})
		defaultMap, defaultIsMap := merged[key].(map[string]interface{})
		if userIsMap && defaultIsMap {
			merged[key] = coalesce(userMap, defaultMap)
		} else {
			merged[key] = value
		}
	}
	return merged
}

func funcs(templates *template.Template) template.FuncMap {
	functions := sprig.TxtFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	functions["toYaml"] = func(value interface{}) string {
		data, err := yaml.Marshal(value)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	functions["fromYaml"] = func(text string) map[string]interface{} {
		value := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &value); err != nil {
			value["Error"] = err.Error()
		}
		return value
	}
	functions["toJson"] = func(value interface{}) string {
		data, err := json.Marshal(value)
		if err != nil {
			return ""
		}
		return string(data)
	}
	functions["fromJson"] = func(text string) map[string]interface{} {
		value := map[string]interface{}{}
		if err := json.Unmarshal([]byte(text), &value); err != nil {
			value["Error"] = err.Error()
		}
		return value
	}
	functions["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, errors.New(message)
		}
		if text, ok := value.(string); ok && text == "" {
			return nil, errors.New(message)
		}
		return value, nil
	}
	functions["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	functions["include"] = func(name string, data interface{}) (string, error) {
		var buffer bytes.Buffer
		err := templates.ExecuteTemplate(&buffer, name, data)
		return buffer.String(), err
	}
	functions["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := templates.Clone()
		if err != nil {
			return "", err
		}
		parsed, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buffer bytes.Buffer
		err = parsed.Execute(&buffer, data)
		return strings.ReplaceAll(buffer.String(), "<no value>", ""), err
	}
	return functions
}

func kubeMajorMinor(version string) (string, string) {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return "1", "31"
	}
	return parts[0], parts[1]
}
