using DotNet.Testcontainers.Configurations;

namespace Keycloak.Tests;

/// <summary>Whether a container engine (Docker or Podman) answers, asked once per test run.</summary>
public static class ContainerEngine
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);

    /// <summary>Null when an engine answers; otherwise why the Keycloak tests cannot run here.</summary>
    public static Task<string?> UnavailableReasonAsync() => Probe.Value;

    private static async Task<string?> ProbeAsync()
    {
        try
        {
            // Testcontainers pings each endpoint it knows (DOCKER_HOST, ~/.testcontainers.properties, the usual sockets)
            // and returns null when none answers; the timeout guards against an endpoint that never replies.
            var endpoint = await Task.Run(() => TestcontainersSettings.OS.DockerEndpointAuthConfig).WaitAsync(ProbeTimeout);
            return endpoint is null
                ? "No container engine answers (Docker/Podman via DOCKER_HOST or the default socket), so Keycloak cannot run here."
                : null;
        }
        catch (TimeoutException)
        {
            return $"The container engine did not answer within {ProbeTimeout.TotalSeconds:0} s, so Keycloak cannot run here.";
        }
    }
}
