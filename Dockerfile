# Node image. Built from the repository root: docker build -t workload-federation/node .
# (Not built in this repository's CI: the build machines have no container engine.)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Gateway -c Release -o /out --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out .
USER 10001
EXPOSE 8080
ENTRYPOINT ["dotnet", "WorkloadFederation.Gateway.dll"]
