using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHost;

/// <summary>Tells a newcomer at start whether the dashboard can run over https on this machine, and how to get there.</summary>
internal static class DevelopmentCertificate
{
    // The OID `dotnet dev-certs` marks the ASP.NET Core HTTPS development certificate with.
    private const string DevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";

    /// <summary>Logs one line at start: the https profile when a trusted certificate exists, what the http banner means when not.</summary>
    public static IDistributedApplicationBuilder AddDevelopmentCertificateHint(this IDistributedApplicationBuilder builder)
    {
        var https = builder.Configuration["ASPNETCORE_URLS"]?.Contains("https://", StringComparison.OrdinalIgnoreCase) == true;
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var (level, message) = Hint(https, IsTrusted());
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("M2MDemo.AppHost").Log(level, "{Hint}", message);
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>The hint for a dashboard on https or http, with or without a trusted development certificate.</summary>
    public static (LogLevel Level, string Message) Hint(bool https, bool trusted) => (https, trusted) switch
    {
        (true, true) => (LogLevel.Debug, "Dashboard over https with the trusted development certificate."),
        (true, false) => (LogLevel.Warning,
            "No trusted development certificate: run `dotnet dev-certs https --trust`, or use the http profile (`dotnet run --project AppHost`)."),
        (false, true) => (LogLevel.Information,
            "A trusted development certificate exists: `dotnet run --project AppHost --launch-profile https` serves the dashboard over https."),
        (false, false) => (LogLevel.Information,
            "Dashboard over http: its banner about a missing trusted development certificate means its pages travel unencrypted on localhost. For https: `dotnet dev-certs https --trust`, then `dotnet run --project AppHost --launch-profile https`."),
    };

    private static bool IsTrusted()
    {
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        var now = DateTime.Now;
        foreach (var certificate in store.Certificates)
        {
            using (certificate)
            {
                if (certificate.Extensions[DevelopmentCertificateOid] is null || now < certificate.NotBefore || now > certificate.NotAfter)
                {
                    continue;
                }

                // Self-signed, so "trusted" means its chain ends in a root this user trusts.
                using var chain = new X509Chain { ChainPolicy = { RevocationMode = X509RevocationMode.NoCheck } };
                if (chain.Build(certificate))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
