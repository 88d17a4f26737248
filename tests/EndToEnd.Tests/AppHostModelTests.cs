using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// The AppHost's resource model, built but not started: the wiring of both modes, including Keycloak's, which cannot
/// run on a machine without a container engine. Values are read in their publish form ("{idp.bindings.http.url}").
/// </summary>
public sealed class AppHostModelTests
{
    private static readonly string[] RealmSecrets = ["PAYMENTS_SERVICE_SECRET", "CHECKOUT_SERVICE_SECRET", "BILLING_API_SECRET", "PAYMENTS_API_SECRET"];

    [Fact]
    public async Task Keycloak_mode_runs_the_pinned_image_importing_the_realm_with_readiness_on_port_9000()
    {
        await using var builder = await CreateAsync("Keycloak");

        var idp = Assert.IsType<ContainerResource>(Resource(builder, "idp"), exactMatch: false);
        Assert.True(idp.TryGetContainerImageName(out var image));
        Assert.Matches(@"^quay\.io/keycloak/keycloak:26\.\d+\.\d+$", image);
        var (arguments, environment) = await PublishedConfigurationOfAsync(idp);
        Assert.Equal(["start-dev", "--import-realm"], arguments);

        var realm = Assert.Single(idp.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal("/opt/keycloak/data/import", realm.Target);
        Assert.True(realm.IsReadOnly);
        Assert.True(File.Exists(Path.Combine(realm.Source!, "m2m-realm.json")));

        var endpoints = idp.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal((8080, 8080), (endpoints["http"].Port, endpoints["http"].TargetPort));
        Assert.Equal(9000, endpoints["management"].TargetPort);
        Assert.NotEmpty(idp.Annotations.OfType<HealthCheckAnnotation>());

        // iss is the allocated endpoint itself (a randomized port included), published on loopback only.
        Assert.Equal("{idp.bindings.http.url}", environment["KC_HOSTNAME"]);
        Assert.All(endpoints.Values, endpoint => Assert.Equal("127.0.0.1", endpoint.TargetHost));
        Assert.Equal("true", environment["KC_HEALTH_ENABLED"]);
        Assert.Equal("{keycloak-admin-username.value}", environment["KC_BOOTSTRAP_ADMIN_USERNAME"]);
        Assert.Equal("{keycloak-admin-password.value}", environment["KC_BOOTSTRAP_ADMIN_PASSWORD"]);
        Assert.All(RealmSecrets, name => Assert.Equal($"{{{SecretParameterOf(name)}.value}}", environment[name]));

        await AssertServicesTrustTheIdpAsync(builder);
    }

    [Fact]
    public async Task Embedded_mode_runs_EmbeddedIdp_pinned_to_the_issuer_the_services_use()
    {
        await using var builder = await CreateAsync("Embedded");

        var idp = Assert.IsType<ProjectResource>(Resource(builder, "idp"), exactMatch: false);
        var (_, environment) = await PublishedConfigurationOfAsync(idp);
        Assert.Equal("{idp.bindings.http.url}/realms/m2m", environment["EmbeddedIdp__Issuer"]);
        Assert.All(RealmSecrets, name => Assert.Equal($"{{{SecretParameterOf(name)}.value}}", environment[name]));
        Assert.NotEmpty(idp.Annotations.OfType<HealthCheckAnnotation>());

        await AssertServicesTrustTheIdpAsync(builder);
    }

    [Fact]
    public async Task An_unknown_IdentityProvider_fails_at_startup_naming_the_setting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync("Okta"));

        Assert.Contains("IdentityProvider", failure.ToString());
    }

    [Fact]
    public async Task Introspection_mode_gives_each_service_only_its_own_client_secret_and_the_IdP_the_lightweight_switch()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["IdentityProvider=Embedded", "TokenValidation=Introspection", "LightweightAccessTokens=true"], TestContext.Current.CancellationToken);

        var (_, idp) = await PublishedConfigurationOfAsync(Resource(builder, "idp"));
        Assert.Equal("true", idp["LIGHTWEIGHT_ACCESS_TOKENS"]);
        foreach (var (service, secret) in new[] { ("billing-api", "billing-api-secret"), ("payments-api", "payments-api-secret") })
        {
            var (_, environment) = await PublishedConfigurationOfAsync(Resource(builder, service));
            Assert.Equal("Introspection", environment["ResourceServer__TokenValidation"]);
            Assert.Equal($"{{{secret}.value}}", environment["ResourceServer__Introspection__ClientSecret"]);
        }

        await AssertServicesTrustTheIdpAsync(builder);
    }

    [Fact]
    public async Task Jwt_mode_is_the_default_and_hands_out_no_introspection_secret()
    {
        await using var builder = await CreateAsync("Embedded");

        var (_, idp) = await PublishedConfigurationOfAsync(Resource(builder, "idp"));
        Assert.Equal("false", idp["LIGHTWEIGHT_ACCESS_TOKENS"]);
        foreach (var service in new[] { "billing-api", "payments-api" })
        {
            var (_, environment) = await PublishedConfigurationOfAsync(Resource(builder, service));
            Assert.Equal("Jwt", environment["ResourceServer__TokenValidation"]);
            Assert.False(environment.ContainsKey("ResourceServer__Introspection__ClientSecret"));
        }
    }

    [Fact]
    public async Task Lightweight_tokens_without_introspection_fail_at_startup_naming_both_settings()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["IdentityProvider=Embedded", "LightweightAccessTokens=true"], TestContext.Current.CancellationToken));

        Assert.Contains("LightweightAccessTokens=true needs TokenValidation=Introspection", failure.ToString());
    }

    /// <summary>Both services validate against the IdP's issuer and wait for it; each gets only the secret it uses.</summary>
    private static async Task AssertServicesTrustTheIdpAsync(IDistributedApplicationTestingBuilder builder)
    {
        var idp = Resource(builder, "idp");
        foreach (var name in new[] { "billing-api", "payments-api" })
        {
            var service = Assert.IsType<ProjectResource>(Resource(builder, name), exactMatch: false);
            var (_, environment) = await PublishedConfigurationOfAsync(service);

            Assert.Equal("{idp.bindings.http.url}/realms/m2m", environment["ResourceServer__Authority"]);
            Assert.Contains(service.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource == idp && wait.WaitType == WaitType.WaitUntilHealthy);
            Assert.NotEmpty(service.Annotations.OfType<HealthCheckAnnotation>());
            Assert.DoesNotContain(environment.Values, value => value.Contains("checkout-service-secret", StringComparison.Ordinal));
        }

        var (_, payments) = await PublishedConfigurationOfAsync(Resource(builder, "payments-api"));
        Assert.Equal("{idp.bindings.http.url}/realms/m2m", payments["TokenClient__billing__Authority"]);
        Assert.Equal("{payments-service-secret.value}", payments["TokenClient__billing__ClientSecret"]);
    }

    /// <summary>Arguments and environment as the manifest would state them: values, or expressions for parameters and endpoints.</summary>
    private static async Task<(List<string> Arguments, Dictionary<string, string> Environment)> PublishedConfigurationOfAsync(IResource resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithArgumentsConfig()
            .WithEnvironmentVariablesConfig()
            .BuildAsync(
                new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish),
                NullLogger.Instance,
                TestContext.Current.CancellationToken);
        Assert.Null(configuration.Exception);
        return ([.. configuration.Arguments.Select(a => a.Value)], configuration.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value));
    }

    private static Task<IDistributedApplicationTestingBuilder> CreateAsync(string identityProvider) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"IdentityProvider={identityProvider}"], TestContext.Current.CancellationToken);

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        Assert.Single(builder.Resources, r => r.Name == name);

    private static string SecretParameterOf(string environmentVariable) =>
        environmentVariable.ToLowerInvariant().Replace('_', '-');
}
