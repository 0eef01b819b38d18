using System.Text.Json.Nodes;
using WorkloadFederation.Federation.Providers;

namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>
/// Shapes the claims of a development token like a platform's (provider presets): the platform's claims with
/// plausible development values, overlaid by the caller's claims, then the derived claims (such as <c>sub</c>)
/// recomputed from the result unless the caller set them. Value types follow the platforms (ids and booleans as
/// strings, GitLab's <c>runner_id</c> a number, AWS claims nested under their namespace).
/// </summary>
internal static class DevTokenShaper
{
    private const string DevSha = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>The presets that shape claims (custom and none do not).</summary>
    public static bool IsShapingPreset(string preset) =>
        preset is ProviderPresets.GitHubActions or ProviderPresets.GitLab or ProviderPresets.HcpTerraform or ProviderPresets.AwsIamOutbound;

    /// <summary>Whether a token of this preset carries <c>nbf</c> (AWS outbound tokens do not).</summary>
    public static bool HasNotBefore(string? preset) => preset != ProviderPresets.AwsIamOutbound;

    public static JsonObject Shape(string? preset, JsonObject callerClaims)
    {
        var claims = preset switch
        {
            ProviderPresets.GitHubActions => GitHub(),
            ProviderPresets.GitLab => GitLab(),
            ProviderPresets.HcpTerraform => Terraform(),
            ProviderPresets.AwsIamOutbound => Aws(),
            _ => [],
        };

        foreach (var (name, value) in callerClaims)
        {
            claims[name] = value?.DeepClone();
        }

        bool Given(string name) => callerClaims.ContainsKey(name);
        string Text(string name) => claims[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;

        switch (preset)
        {
            case ProviderPresets.GitHubActions:
                if (!Given("repository_owner") && Text("repository").Split('/') is [var owner, _])
                {
                    claims["repository_owner"] = owner;
                }

                if (!Given("workflow_ref"))
                {
                    claims["workflow_ref"] = $"{Text("repository")}/.github/workflows/dev.yml@{Text("ref")}";
                }

                if (!Given("job_workflow_ref"))
                {
                    claims["job_workflow_ref"] = Text("workflow_ref");
                }

                if (!Given("sub"))
                {
                    claims["sub"] = claims.ContainsKey("environment")
                        ? $"repo:{Text("repository")}:environment:{Text("environment")}"
                        : $"repo:{Text("repository")}:ref:{Text("ref")}";
                }

                break;
            case ProviderPresets.GitLab:
                if (!Given("ref_path"))
                {
                    claims["ref_path"] = (Text("ref_type") == "tag" ? "refs/tags/" : "refs/heads/") + Text("ref");
                }

                if (!Given("ci_config_ref_uri"))
                {
                    claims["ci_config_ref_uri"] = $"gitlab.example.com/{Text("project_path")}//.gitlab-ci.yml@{Text("ref_path")}";
                }

                if (!Given("sub"))
                {
                    claims["sub"] = $"project_path:{Text("project_path")}:ref_type:{Text("ref_type")}:ref:{Text("ref")}";
                }

                break;
            case ProviderPresets.HcpTerraform:
                var full = $"organization:{Text("terraform_organization_name")}:project:{Text("terraform_project_name")}:workspace:{Text("terraform_workspace_name")}";
                if (!Given("terraform_full_workspace"))
                {
                    claims["terraform_full_workspace"] = full;
                }

                if (!Given("sub"))
                {
                    claims["sub"] = $"{Text("terraform_full_workspace")}:run_phase:{Text("terraform_run_phase")}";
                }

                break;
            default:
                if (!claims.ContainsKey("sub"))
                {
                    claims["sub"] = "developer";
                }

                break;
        }

        return claims;
    }

    private static JsonObject GitHub() => new()
    {
        ["repository"] = "dev-org/dev-repo",
        ["repository_id"] = "1",
        ["repository_owner_id"] = "1",
        ["repository_visibility"] = "private",
        ["actor"] = "developer",
        ["actor_id"] = "1",
        ["event_name"] = "push",
        ["ref"] = "refs/heads/main",
        ["ref_type"] = "branch",
        ["ref_protected"] = "true",
        ["sha"] = DevSha,
        ["workflow"] = "dev",
        ["workflow_sha"] = DevSha,
        ["job_workflow_sha"] = DevSha,
        ["head_ref"] = string.Empty,
        ["base_ref"] = string.Empty,
        ["run_id"] = "1",
        ["run_number"] = "1",
        ["run_attempt"] = "1",
        ["runner_environment"] = "self-hosted",
    };

    private static JsonObject GitLab() => new()
    {
        ["namespace_id"] = "1",
        ["namespace_path"] = "dev-group",
        ["project_id"] = "1",
        ["project_path"] = "dev-group/dev-project",
        ["project_visibility"] = "private",
        ["user_id"] = "1",
        ["user_login"] = "developer",
        ["user_email"] = "developer@localhost",
        ["user_access_level"] = "maintainer",
        ["groups_direct"] = new JsonArray("dev-group"),
        ["pipeline_id"] = "1",
        ["pipeline_source"] = "push",
        ["job_id"] = "1",
        ["ref"] = "main",
        ["ref_type"] = "branch",
        ["ref_protected"] = "true",
        ["runner_id"] = 1,
        ["runner_environment"] = "self-hosted",
        ["sha"] = DevSha,
        ["ci_config_sha"] = DevSha,
    };

    private static JsonObject Terraform() => new()
    {
        ["terraform_organization_id"] = "org-dev0000000000001",
        ["terraform_organization_name"] = "dev-org",
        ["terraform_project_id"] = "prj-dev0000000000001",
        ["terraform_project_name"] = "Default Project",
        ["terraform_workspace_id"] = "ws-dev00000000000001",
        ["terraform_workspace_name"] = "dev-workspace",
        ["terraform_run_id"] = "run-dev0000000000001",
        ["terraform_run_phase"] = "apply",
    };

    private static JsonObject Aws() => new()
    {
        ["sub"] = "arn:aws:iam::123456789012:role/DevRole",
        [ProviderPresets.AwsClaimsNamespace] = new JsonObject
        {
            ["aws_account"] = "123456789012",
            ["source_region"] = "us-east-1",
        },
    };
}
