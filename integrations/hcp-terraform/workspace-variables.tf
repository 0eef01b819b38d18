# Workspace variables that let runs of one HCP Terraform workspace federate into WorkloadFederation.
# Apply from a workspace (or locally) that manages the target workspace with the tfe provider.

variable "workspace_id" {
  description = "The HCP Terraform workspace whose runs federate (ws-...)."
  type        = string
}

variable "tenant_domain" {
  description = "The WorkloadFederation tenant domain, e.g. acme.example.com (the token's audience)."
  type        = string
}

variable "client_id" {
  description = "The trust's client id, e.g. swift-otter-19384@acme.example.com/wfe."
  type        = string
}

variable "tagged_audience" {
  description = "Also set TFC_WORKLOAD_IDENTITY_AUDIENCE_CONDUCTORONE (when the plain audience serves another consumer)."
  type        = bool
  default     = false
}

# HCP Terraform injects tokens only when the plain audience is set.
resource "tfe_variable" "wif_audience" {
  workspace_id = var.workspace_id
  category     = "env"
  key          = "TFC_WORKLOAD_IDENTITY_AUDIENCE"
  value        = var.tenant_domain
  description  = "Makes HCP Terraform issue TFC_WORKLOAD_IDENTITY_TOKEN to each plan and apply."
}

resource "tfe_variable" "wif_tagged_audience" {
  count        = var.tagged_audience ? 1 : 0
  workspace_id = var.workspace_id
  category     = "env"
  key          = "TFC_WORKLOAD_IDENTITY_AUDIENCE_CONDUCTORONE"
  value        = var.tenant_domain
  description  = "Makes HCP Terraform issue TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE, which the client tools prefer."
}

resource "tfe_variable" "wif_client_id" {
  workspace_id = var.workspace_id
  category     = "env"
  key          = "CONDUCTORONE_CLIENT_ID"
  value        = var.client_id
  description  = "The WorkloadFederation trust that runs of this workspace exchange their token with."
}
