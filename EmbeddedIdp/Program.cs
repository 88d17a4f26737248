using EmbeddedIdp;
using EmbeddedIdp.Admin;

var builder = WebApplication.CreateBuilder(args);
// `--rotate-signing-key true` makes a new signing key active at startup; the previous one keeps verifying.
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--rotate-signing-key"] = "EmbeddedIdp:RotateSigningKey" });

builder.AddServiceDefaults();
builder.AddEmbeddedIdp();

var app = builder.Build();

app.UseEmbeddedIdp();
app.MapDefaultEndpoints();
if (app.Environment.IsDevelopment())
{
    // Development only: rotate or withdraw signing keys without a restart (see README.md, "Key rotation").
    app.MapSigningKeyAdminApi();
}

await app.InitializeEmbeddedIdpAsync();
app.Run();
