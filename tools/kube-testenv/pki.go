package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	clientcmd "k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeServiceAccountKey writes a new ECDSA P-256 key in PEM; the API server signs service
// account tokens with it and derives the verification key from the same file.
func writeServiceAccountKey(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeTokenFile writes the static token file: an admin in system:masters, and a viewer that
// belongs to no group (RBAC denies it everything), for permission tests.
func writeTokenFile(path, admin, viewer string) error {
	body := fmt.Sprintf("%s,admin,admin-uid,\"system:masters\"\n%s,viewer,viewer-uid\n", admin, viewer)
	return os.WriteFile(path, []byte(body), 0o600)
}

// writeKubeconfig writes a kubeconfig for the admin token, trusting caPEM.
func writeKubeconfig(path, server string, caPEM []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kube-testenv"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["kube-testenv"] = &clientcmdapi.Context{Cluster: "kube-testenv", AuthInfo: "admin", Namespace: "default"}
	cfg.CurrentContext = "kube-testenv"
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

// waitForFile waits until path exists and is not empty.
func waitForFile(path string, done <-chan struct{}) ([]byte, error) {
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b, nil
		}
		select {
		case <-done:
			return nil, fmt.Errorf("waiting for %s: %w", filepath.Base(path), errTimeout)
		case <-tick():
		}
	}
}
