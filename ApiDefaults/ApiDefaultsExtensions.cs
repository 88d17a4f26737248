using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every HTTP API here shares: problem-details errors and an OpenAPI document with its reference page.</summary>
public static class ApiDefaultsExtensions
{
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // An unreadable request body is the caller's 400, not our 500 (Development throws it to show the details).
        builder.Services.AddExceptionHandler(options => options.StatusCodeSelector =
            exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        builder.Services.AddOpenApi(options => options.AddResourceServerSecurity());
        return builder;
    }

    /// <summary>
    /// The OpenAPI document, and in Development the Scalar page for it with the client-credentials flow filled in from
    /// <c>ApiDocumentation:ClientId</c> and <c>ApiDocumentation:Scopes</c>; both anonymous, they hold no data.
    /// </summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            var tryIt = app.Configuration.GetSection("ApiDocumentation");
            app.MapScalarApiReference(options => options
                .AddPreferredSecuritySchemes([ResourceServerOpenApiExtensions.SecuritySchemeName])
                .AddClientCredentialsFlow(ResourceServerOpenApiExtensions.SecuritySchemeName, flow => flow
                    .WithClientId(tryIt["ClientId"] ?? "")
                    .WithSelectedScopes(tryIt.GetSection("Scopes").Get<string[]>() ?? [])
                    // The secret travels in the form body: a simple cross-origin request, no preflight (the person types it; it is never in the page).
                    .WithCredentialsLocation(CredentialsLocation.Body)))
                .AllowAnonymous();
        }

        return app;
    }
}
