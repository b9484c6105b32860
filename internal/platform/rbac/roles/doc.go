// Package roles manages a tenant's roles and grants and resolves a
// signed-in user's permissions and data scopes into an rbac.Principal.
package roles
