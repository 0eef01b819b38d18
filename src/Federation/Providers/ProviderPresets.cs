using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.Providers;

/// <summary>
/// The provider presets catalogue (DESIGN.md vocabulary "provider"). Claim names and value shapes follow each
/// platform's public documentation; note that most platform claims are strings even when they look like numbers or
/// booleans (GitHub's <c>actor_id</c>, GitLab's <c>ref_protected</c> = <c>"true"</c>), which conditions must respect.
/// </summary>
public static class ProviderPresets
{
    public const string GitHubActions = "github-actions";
    public const string GitLab = "gitlab";
    public const string HcpTerraform = "hcp-terraform";
    public const string AwsIamOutbound = "aws-iam-outbound";
    public const string Custom = "custom";

    /// <summary>The namespace object under which AWS outbound identity tokens nest their AWS-specific claims.</summary>
    public const string AwsClaimsNamespace = "https://sts.amazonaws.com/";

    private static readonly PresetClaim[] Standard =
    [
        new("iss", "string", "Issuer."),
        new("sub", "string", "Subject."),
        new("aud", "string or array", "Audience."),
        new("exp", "number", "Expiry (seconds since the epoch)."),
        new("nbf", "number", "Not before (seconds since the epoch)."),
        new("iat", "number", "Issued at (seconds since the epoch)."),
        new("jti", "string", "Unique token identifier."),
    ];

    /// <summary>GitHub Actions (docs.github.com, "OpenID Connect reference").</summary>
    public static ProviderPreset GitHubActionsPreset { get; } = new(
        GitHubActions,
        "GitHub Actions",
        "https://token.actions.githubusercontent.com",
        IssuerEditable: false,
        IssuerExample: null,
        [JwtAlgorithms.RS256],
        [
            .. Standard,
            new("actor", "string", "Account that initiated the workflow run."),
            new("actor_id", "string", "Numeric id of that account, as a string."),
            new("base_ref", "string", "Target branch of a pull request (empty otherwise)."),
            new("check_run_id", "string", "Check run id of the job."),
            new("enterprise", "string", "Enterprise owning the repository, when any."),
            new("enterprise_id", "string", "Id of that enterprise, when any."),
            new("environment", "string", "Deployment environment of the job, when any."),
            new("event_name", "string", "Event that triggered the run (push, pull_request, workflow_dispatch, ...)."),
            new("head_ref", "string", "Source branch of a pull request (empty otherwise)."),
            new("job_workflow_ref", "string", "Reusable workflow path and ref (owner/repo/.github/workflows/x.yml@ref)."),
            new("job_workflow_sha", "string", "Commit SHA of that workflow file."),
            new("ref", "string", "Git ref (refs/heads/main, refs/tags/v1, refs/pull/1/merge)."),
            new("ref_protected", "string", "\"true\" when the ref is protected, else \"false\" (a string)."),
            new("ref_type", "string", "branch or tag."),
            new("repository", "string", "owner/name of the repository."),
            new("repository_id", "string", "Numeric repository id, as a string."),
            new("repository_owner", "string", "Owner (organisation or user) of the repository."),
            new("repository_owner_id", "string", "Numeric owner id, as a string."),
            new("repository_visibility", "string", "public, private or internal."),
            new("run_attempt", "string", "Attempt number of the run."),
            new("run_id", "string", "Run id."),
            new("run_number", "string", "Run number."),
            new("runner_environment", "string", "github-hosted or self-hosted."),
            new("sha", "string", "Commit SHA that triggered the run."),
            new("workflow", "string", "Workflow name."),
            new("workflow_ref", "string", "Workflow path and ref (owner/repo/.github/workflows/x.yml@ref)."),
            new("workflow_sha", "string", "Commit SHA of the workflow file."),
        ],
        "https://docs.github.com/en/actions/reference/security/oidc");

    /// <summary>GitLab CI/CD ID tokens (docs.gitlab.com, "OpenID Connect (OIDC) Authentication Using ID Tokens").</summary>
    public static ProviderPreset GitLabPreset { get; } = new(
        GitLab,
        "GitLab CI/CD",
        "https://gitlab.com",
        IssuerEditable: true,
        IssuerExample: "https://gitlab.example.com",
        [JwtAlgorithms.RS256],
        [
            .. Standard,
            new("namespace_id", "string", "Group or user namespace id, as a string."),
            new("namespace_path", "string", "Group or user namespace path."),
            new("project_id", "string", "Project id, as a string."),
            new("project_path", "string", "group/project path."),
            new("project_visibility", "string", "public, internal or private."),
            new("user_id", "string", "Id of the user running the job, as a string."),
            new("user_login", "string", "Username of that user."),
            new("user_email", "string", "Email of that user."),
            new("user_access_level", "string", "That user's role in the project (developer, maintainer, owner, ...)."),
            new("user_identities", "array", "External identities of that user, when enabled."),
            new("groups_direct", "array", "Paths of the groups the user is a direct member of (up to 200)."),
            new("pipeline_id", "string", "Pipeline id, as a string."),
            new("pipeline_source", "string", "What started the pipeline (push, merge_request_event, schedule, ...)."),
            new("job_id", "string", "Job id, as a string."),
            new("ref", "string", "Branch or tag name (no refs/heads/ prefix)."),
            new("ref_type", "string", "branch or tag."),
            new("ref_path", "string", "Fully qualified ref (refs/heads/main)."),
            new("ref_protected", "string", "\"true\" when the ref is protected, else \"false\" (a string)."),
            new("environment", "string", "Environment of the job, when any."),
            new("environment_protected", "string", "\"true\" when that environment is protected, else \"false\"."),
            new("environment_action", "string", "start, prepare, stop, verify or access, when an environment is set."),
            new("deployment_tier", "string", "production, staging, testing, development or other, when an environment is set."),
            new("runner_id", "number", "Id of the runner (a JSON number)."),
            new("runner_environment", "string", "gitlab-hosted or self-hosted."),
            new("sha", "string", "Commit SHA of the job."),
            new("ci_config_ref_uri", "string", "Pipeline definition path and ref (gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main)."),
            new("ci_config_sha", "string", "Commit SHA of the pipeline definition."),
        ],
        "https://docs.gitlab.com/ci/secrets/id_token_authentication/");

    /// <summary>HCP Terraform workload identity tokens (developer.hashicorp.com, "Workload identity").</summary>
    public static ProviderPreset HcpTerraformPreset { get; } = new(
        HcpTerraform,
        "HCP Terraform",
        "https://app.terraform.io",
        IssuerEditable: true,
        IssuerExample: "https://tfe.example.com",
        [JwtAlgorithms.RS256],
        [
            .. Standard,
            new("terraform_organization_id", "string", "Organization id (org-...)."),
            new("terraform_organization_name", "string", "Organization name."),
            new("terraform_project_id", "string", "Project id (prj-...)."),
            new("terraform_project_name", "string", "Project name."),
            new("terraform_workspace_id", "string", "Workspace id (ws-...)."),
            new("terraform_workspace_name", "string", "Workspace name."),
            new("terraform_full_workspace", "string", "organization:<org>:project:<project>:workspace:<workspace>."),
            new("terraform_run_id", "string", "Run id (run-...)."),
            new("terraform_run_phase", "string", "plan or apply."),
        ],
        "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens");

    /// <summary>AWS IAM outbound identity federation (STS GetWebIdentityToken; docs.aws.amazon.com, "Understanding token claims").</summary>
    public static ProviderPreset AwsIamOutboundPreset { get; } = new(
        AwsIamOutbound,
        "AWS IAM outbound identity federation",
        IssuerUrl: null,
        IssuerEditable: true,
        IssuerExample: "https://<uuid>.tokens.sts.global.api.aws",
        [JwtAlgorithms.RS256, JwtAlgorithms.ES384],
        [
            new("iss", "string", "The account's issuer URL (one per AWS account)."),
            new("sub", "string", "ARN of the IAM principal (e.g. arn:aws:iam::123456789012:role/Name)."),
            new("aud", "string or array", "Audience requested with GetWebIdentityToken."),
            new("exp", "number", "Expiry (seconds since the epoch)."),
            new("iat", "number", "Issued at (seconds since the epoch)."),
            new("jti", "string", "Unique token identifier."),
            new(AwsClaimsNamespace, "object", "AWS claims: aws_account, source_region, org_id, ou_path, principal_tags, request_tags, and session context such as lambda_source_function_arn."),
        ],
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html");

    /// <summary>Any other OIDC issuer: everything is configured by hand.</summary>
    public static ProviderPreset CustomPreset { get; } = new(
        Custom,
        "Custom OIDC issuer",
        IssuerUrl: null,
        IssuerEditable: true,
        IssuerExample: "https://issuer.example.com",
        // An arbitrary issuer may rotate to any key type (RS256 today, ES256 tomorrow): every asymmetric algorithm is
        // allowed unless the admin narrows the list, and each key still verifies only with its own kty/crv's algorithms.
        JwtAlgorithms.All,
        Standard,
        "https://openid.net/specs/openid-connect-discovery-1_0.html");

    /// <summary>Every preset in the order API.md lists them.</summary>
    public static IReadOnlyList<ProviderPreset> All { get; } = [GitHubActionsPreset, GitLabPreset, HcpTerraformPreset, AwsIamOutboundPreset, CustomPreset];

    private static readonly Dictionary<string, ProviderPreset> ById = All.ToDictionary(p => p.Id, StringComparer.Ordinal);

    /// <summary>The preset with this id (case-sensitive), or false.</summary>
    public static bool TryGet(string? id, out ProviderPreset preset)
    {
        if (id is not null && ById.TryGetValue(id, out var found))
        {
            preset = found;
            return true;
        }

        preset = CustomPreset;
        return false;
    }

    /// <summary>The body of <c>GET /api/v1/provider-presets</c>.</summary>
    public static ProviderPresetListDto ToListDto() => new([.. All.Select(p => p.ToDto())]);
}
