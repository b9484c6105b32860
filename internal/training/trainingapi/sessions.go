package trainingapi

import "github.com/renshi/renshi/internal/platform/web"

// sessionRoutes registers classroom sessions, questions to module owners
// and program costs.
func sessionRoutes(api *web.API, h *handlers) {}
