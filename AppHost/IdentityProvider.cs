using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHost;

/// <summary>Which server plays the IdP: the <c>IdentityProvider</c> setting (appsettings.json, command line or environment).</summary>
internal enum IdentityProvider
{
    /// <summary>Keycloak when a container runtime answers, otherwise EmbeddedIdp.</summary>
    Auto,
    Keycloak,
    Embedded,
}

/// <summary>The one place the project pins Keycloak: the AppHost runs it, tests/Keycloak.Tests starts the same image.</summary>
public static class KeycloakImage
{
    public const string Repository = "quay.io/keycloak/keycloak";

    // Newest 26.x tag confirmed (with its digest) at the time of writing; bump deliberately, never float.
    public const string Tag = "26.8.0";
}

internal static class IdentityProviderExtensions
{
    private const string SettingKey = "IdentityProvider";

    // The port `dotnet run` gives Keycloak; under the testing builder Aspire picks another (DcpPublisher:RandomizePorts),
    // which is why KC_HOSTNAME is derived from the allocated endpoint instead of naming this one.
    private const int KeycloakPort = 8080;

    // Keycloak is a development IdP here: its ports are published on loopback only, never on every interface.
    private const string Loopback = "127.0.0.1";

    /// <summary>
    /// Adds the IdP as resource <paramref name="name"/>: Keycloak or EmbeddedIdp, both serving realm <c>m2m</c> from
    /// <c>keycloak-realm/</c> with the client secrets resolved from <paramref name="secrets"/> and the lightweight-token
    /// switch from <paramref name="validation"/>.
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints> AddIdentityProvider(
        this IDistributedApplicationBuilder builder, string name, ClientSecrets secrets, TokenValidationSettings validation)
    {
        var (choice, reason) = Choose(builder.Configuration);

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("M2MDemo.AppHost").LogInformation(
                "Identity provider: {Choice} ({Reason}). Switch with IdentityProvider=Auto|Keycloak|Embedded, e.g. `dotnet run --project AppHost -- IdentityProvider=Embedded`.",
                choice,
                reason);
            return Task.CompletedTask;
        });

        return choice == IdentityProvider.Keycloak
            ? validation.AddToRealm(secrets.AddToRealm(builder.AddKeycloak(name)))
            : validation.AddToRealm(secrets.AddToRealm(builder.AddEmbeddedIdp(name)));
    }

    /// <summary>The realm's issuer, <c>{idp}/realms/m2m</c>, as the services on this host reach it.</summary>
    public static ReferenceExpression GetIssuer(this IResourceBuilder<IResourceWithEndpoints> idp) =>
        ReferenceExpression.Create($"{idp.GetEndpoint("http", KnownNetworkIdentifiers.LocalhostNetwork)}/realms/m2m");

    private static (IdentityProvider Choice, string Reason) Choose(IConfiguration configuration)
    {
        var setting = configuration[SettingKey] ?? nameof(IdentityProvider.Auto);
        if (!Enum.TryParse<IdentityProvider>(setting, ignoreCase: true, out var configured) || !Enum.IsDefined(configured))
        {
            throw new InvalidOperationException($"{SettingKey} is '{setting}'; expected Auto, Keycloak or Embedded.");
        }

        if (configured != IdentityProvider.Auto)
        {
            return (configured, $"{SettingKey}={configured}");
        }

        // Aspire's own switch between docker and podman.
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        return ContainerRuntimeAnswers(runtime)
            ? (IdentityProvider.Keycloak, $"Auto: `{runtime} info` answered")
            : (IdentityProvider.Embedded, $"Auto: no container runtime answered `{runtime} info`");
    }

    // `info` talks to the engine itself, so it fails when only the CLI is installed; bounded so a hung engine cannot stall start-up.
    private static bool ContainerRuntimeAnswers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // not installed
        }
    }

    private static IResourceBuilder<ProjectResource> AddEmbeddedIdp(this IDistributedApplicationBuilder builder, string name)
    {
        var idp = builder.AddProject<Projects.EmbeddedIdp>(name);

        return idp
            // Fixed issuer, like KC_HOSTNAME: the same whichever host name a caller used.
            .WithEnvironment("EmbeddedIdp__Issuer", idp.GetIssuer())
            // Its /health turns ready only after a warm-up token request over HTTP succeeded: the realm is served,
            // not just the process up. (Probing the discovery document instead would fill the traces with probes.)
            .WithHttpHealthCheck("/health");
    }

    private static IResourceBuilder<ContainerResource> AddKeycloak(this IDistributedApplicationBuilder builder, string name)
    {
        var adminUsername = builder.AddParameter("keycloak-admin-username", "admin");
        var adminPassword = builder.AddParameter(
            "keycloak-admin-password", new GenerateParameterDefault { MinLength = 24 }, secret: true, persist: true);

        // Session lifetime (the default): a fresh container per run re-imports the realm with this run's secrets.
        var keycloak = builder.AddContainer(name, KeycloakImage.Repository, KeycloakImage.Tag)
            .WithArgs("start-dev", "--import-realm")
            .WithBindMount("../keycloak-realm", "/opt/keycloak/data/import", isReadOnly: true)
            .WithHttpEndpoint(port: KeycloakPort, targetPort: 8080, name: "http")
            .WithHttpEndpoint(targetPort: 9000, name: "management")
            .WithEndpoint("http", endpoint => endpoint.TargetHost = Loopback)
            .WithEndpoint("management", endpoint => endpoint.TargetHost = Loopback)
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_USERNAME", adminUsername)
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword)
            .WithEnvironment("KC_HEALTH_ENABLED", "true")
            .WithHttpHealthCheck("/health/ready", endpointName: "management");

        // iss = KC_HOSTNAME + /realms/m2m: the very endpoint the services are given (GetIssuer), as the host sees it.
        return keycloak.WithEnvironment("KC_HOSTNAME", keycloak.GetEndpoint("http", KnownNetworkIdentifiers.LocalhostNetwork));
    }
}
