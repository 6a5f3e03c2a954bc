// Package install stands in for Flux v1's pkg/install (a nested module the module proxy does not
// serve): the compatibility tests never run `fluxctl install` of the Go client.
package install

import "errors"

type TemplateParameters struct {
	GitURL                  string
	GitBranch               string
	GitPaths                []string
	GitLabel                string
	GitUser                 string
	GitEmail                string
	GitReadOnly             bool
	ManifestGeneration      bool
	Namespace               string
	RegistryDisableScanning bool
	AddSecurityContext      bool
}

func FillInTemplates(params TemplateParameters) (map[string][]byte, error) {
	return nil, errors.New("fluxctl install is not part of this build")
}
