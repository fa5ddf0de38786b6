/** The system policy catalogue (name, description, default version, document text). Data only. */
export const SYSTEM_POLICY_DATA: readonly {
  name: string;
  description: string;
  version: string;
  document: string;
}[] = [
  {
    name: 'AdministratorAccess',
    description: 'Full access to all Alibaba Cloud services and resources.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'ReadOnlyAccess',
    description: 'Read-only access to all Alibaba Cloud resources (no billing writes, no data changes).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "*:Describe*",\n        "*:List*",\n        "*:Get*",\n        "*:BatchGet*",\n        "*:Query*",\n        "*:BatchQuery*",\n        "actiontrail:LookupEvents",\n        "actiontrail:Check*",\n        "dm:Desc*",\n        "dm:SenderStatistics*",\n        "ram:GenerateCredentialReport"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'PowerUserAccess',
    description:
      'Full access to services and resources except managing RAM identities/permissions, resource directory and sharing, and funds-account changes.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "NotAction": [\n        "ram:*",\n        "ims:*",\n        "resourcemanager:*",\n        "resourcesharing:*",\n        "cloudsso:*",\n        "bss:ModifyAccount",\n        "bss:ModifyBillingAccount",\n        "bss:ModifyPaymentRelationship",\n        "bssapi:ModifyAccountRelation"\n      ],\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "ram:ListUserBasicInfos",\n        "ram:ListRoles",\n        "ram:CreateServiceLinkedRole",\n        "ram:DeleteServiceLinkedRole",\n        "ram:GetServiceLinkedRoleDeletionStatus",\n        "ram:CheckServiceLinkedRoleExistence",\n        "resourcemanager:GetAccount",\n        "resourcemanager:GetFolder",\n        "resourcemanager:GetResourceDirectory",\n        "resourcemanager:ListAccounts",\n        "resourcemanager:ListFoldersForParent",\n        "resourcemanager:ListAccountsForParent"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunRAMFullAccess',
    description: 'Full management of RAM: users, groups, roles, policies and their attachments.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "ram:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunRAMReadOnlyAccess',
    description: 'Read-only access to RAM (users, groups, roles, policies) through the console.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "ram:Get*",\n        "ram:List*",\n        "ram:GenerateCredentialReport"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "accessanalyzer:Get*",\n        "accessanalyzer:List*"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunSTSAssumeRoleAccess',
    description:
      "Allows calling STS AssumeRole (on any role the role's trust policy lets the caller assume).",
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Action": "sts:AssumeRole",\n      "Effect": "Allow",\n      "Resource": "*"\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunOSSFullAccess',
    description: 'Full management of Object Storage Service.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "oss:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunOSSReadOnlyAccess',
    description: 'Read-only access to OSS.',
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Action": [\n        "oss:Get*",\n        "oss:List*"\n      ],\n      "Effect": "Allow",\n      "Resource": "*"\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunECSFullAccess',
    description: 'Full management of ECS resources.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "ecs:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "vpc:DescribeVpcs",\n        "vpc:DescribeVSwitches"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunECSReadOnlyAccess',
    description: 'Read-only view of ECS resources.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "ecs:Describe*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ecs:List*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "vpc:DescribeVpcs",\n        "vpc:DescribeVSwitches"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunRDSFullAccess',
    description: 'Full management of ApsaraDB RDS.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "rds:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunRDSReadOnlyAccess',
    description: 'Read-only access to ApsaraDB RDS.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "rds:Describe*",\n      "Effect": "Allow",\n      "Resource": "*"\n    },\n    {\n      "Action": [\n        "hdm:Get*",\n        "hdm:Describe*",\n        "hdm:Query*",\n        "hdm:Support*"\n      ],\n      "Effect": "Allow",\n      "Resource": "acs:rds:*:*:*"\n    },\n    {\n      "Action": [\n        "dbs:Get*",\n        "dbs:Describe*",\n        "dbs:Query*",\n        "dbs:Support*"\n      ],\n      "Resource": "acs:rds:*:*:*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunActionTrailFullAccess',
    description:
      'Full access to ActionTrail, including passing a role to ActionTrail and creating its service-linked role.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "actiontrail:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:PassRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "acs:Service": "actiontrail.aliyuncs.com"\n        }\n      }\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "actiontrail.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunActionTrailReadOnlyAccess',
    description: 'Read-only access to ActionTrail.',
    version: 'v4',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "actiontrail:Lookup*",\n        "actiontrail:Describe*",\n        "actiontrail:Get*",\n        "actiontrail:Check*",\n        "actiontrail:List*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunResourceDirectoryFullAccess',
    description: 'Full management of Resource Directory (accounts, folders, control policies).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "resourcemanager:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunResourceDirectoryReadOnlyAccess',
    description: 'Read-only access to Resource Directory.',
    version: 'v6',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "resourcemanager:Get*",\n        "resourcemanager:List*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunVPCFullAccess',
    description: 'Full access to VPC through the console.',
    version: 'v12',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "vpc:*HaVip*",\n        "vpc:*RouteTable*",\n        "vpc:*VRouter*",\n        "vpc:*RouteEntry*",\n        "vpc:*RouteEntries*",\n        "vpc:*VSwitch*",\n        "vpc:*Vpc*",\n        "vpc:*Cen*",\n        "vpc:*Tag*",\n        "vpc:*NetworkAcl*",\n        "vpc:*FlowLog*",\n        "vpc:*Ipv4Gateway*",\n        "vpc:*PrefixList*",\n        "vpc:*DhcpOptionsSet*",\n        "vpc:DeletionProtection",\n        "vpc:*TagResource*",\n        "vpc:MoveResourceGroup"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunVPCReadOnlyAccess',
    description: 'Read-only access to VPC.',
    version: 'v9',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "vpc:DescribeHaVip*",\n        "vpc:DescribeRouteTable*",\n        "vpc:DescribeRouteEntry*",\n        "vpc:DescribeVSwitch*",\n        "vpc:DescribeVRouter*",\n        "vpc:DescribeVpc*",\n        "vpc:Describe*Cen*",\n        "vpc:ListTag*",\n        "vpc:DescribeTag*",\n        "vpc:DescribeNetworkAcl*",\n        "vpc:DescribeFlowLog*",\n        "vpc:CheckCanAllocateVpcPrivateIpAddress",\n        "vpc:ListIpv4Gateways",\n        "vpc:GetIpv4GatewayAttribute",\n        "vpc:ListDhcpOptionsSets",\n        "vpc:GetDhcpOptionsSet"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunKMSFullAccess',
    description: 'Full access to Key Management Service.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "kms:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": [\n            "secretsmanager-rds.kms.aliyuncs.com",\n            "keystore.kms.aliyuncs.com"\n          ]\n        }\n      },\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunKMSReadOnlyAccess',
    description: 'Read-only access to Key Management Service.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "kms:List*",\n        "kms:Describe*",\n        "kms:GetPublicKey",\n        "kms:GetUploadBackupDataInfo",\n        "kms:GetKmsInstanceSharedAccounts",\n        "kms:GetKmsInstanceQuotaInfos",\n        "kms:GetCheckAssociateResourceTaskResults",\n        "kms:GetKeyPolicy",\n        "kms:GetKeyDefaultPolicy",\n        "kms:GetSecretPolicy",\n        "kms:GetSecretDefaultPolicy",\n        "kms:GetKmsInstance",\n        "kms:GetDefaultKmsInstance"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunLogFullAccess',
    description: 'Full access to Simple Log Service (SLS) through the console.',
    version: 'v4',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "log:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": [\n            "audit.log.aliyuncs.com",\n            "alert.log.aliyuncs.com",\n            "middlewarelens.log.aliyuncs.com",\n            "storagelens.log.aliyuncs.com",\n            "ai-lens.log.aliyuncs.com",\n            "securitylens.log.aliyuncs.com"\n          ]\n        }\n      }\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "cms:CreateChat",\n        "cms:CreateThread"\n      ],\n      "Resource": "acs:cms:*:*:digitalemployee/apsara-*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunLogReadOnlyAccess',
    description: 'Read-only access to Simple Log Service.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "log:Get*",\n        "log:List*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunBSSFullAccess',
    description: 'Full access to billing (orders, payments, bills).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "bss:*",\n        "bssapi:*"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunBSSReadOnlyAccess',
    description: 'Read-only access to the billing system (bills, orders, balance).',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "bss:Describe*",\n        "bssapi:Describe*",\n        "bssapi:Query*",\n        "bss:ListTechSolutionTokenBills",\n        "bss:GetTechSolutionTokenOverview"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunYundunFullAccess',
    description: 'Full access to the Cloud Security (Yundun) family of services.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "yundun:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunACMFullAccess',
    description: 'Full access to Application Configuration Management (ACM).',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "acms:*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunADBFullAccess',
    description: 'Full access to AnalyticDB for MySQL 3.0.',
    version: 'v5',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "adb:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "adbaps:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:ListUserBasicInfos",\n      "Effect": "Allow",\n      "Resource": "*"\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "ads.aliyuncs.com"\n        }\n      }\n    },\n    {\n      "Action": "ram:PassRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "acs:Service": "ads.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunAPIGFullAccess',
    description: 'Administrator policy for Cloud-native API Gateway.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "apig:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "nativeapigw.aliyuncs.com"\n        }\n      }\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "invokefc.nativeapigw.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunAccountCenterFullAccess',
    description: 'Full access to the account center.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "accountcenter:*",\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": "efc:*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunAccountCenterReadOnlyAccess',
    description: 'Read-only access to the account center.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "accountcenter:Query*",\n        "accountcenter:AccountAddressQuery*",\n        "accountcenter:AccountContactQuery*",\n        "accountcenter:EnterpriseContactQuery*",\n        "accountcenter:EnterpriseAddressQuery*",\n        "accountcenter:EnterpriseTodoQuery*"\n      ],\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "bss:DescribeSwitchServiceQueryStatus",\n        "bss:DescribeEnterpriseRelation"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunAnalyticDBAccessingOSSRolePolicy',
    description: 'Policy of the AnalyticDB service role for reading OSS.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "oss:Get*",\n        "oss:List*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunBSSContractReadOnlyAccess',
    description: 'Read-only access to the contract center.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "bss:DescribeContract*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunBSSRenewReadOnlyAccess',
    description: 'Read-only access to renewal management.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "bss:DescribeRenew*",\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunCloudControlAPIFullAccess',
    description: 'Full access to Cloud Control API.',
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "cloudcontrol:*",\n      "Resource": "acs:cloudcontrol:*:*:*"\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunCloudControlAPIReadOnlyAccess',
    description: 'Read-only access to Cloud Control API.',
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "cloudcontrol:List*",\n        "cloudcontrol:Get*"\n      ],\n      "Resource": "acs:cloudcontrol:*:*:*"\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunConfigReadOnlyAccess',
    description: 'Read-only access to Cloud Config.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "config:Describe*",\n        "config:List*",\n        "config:Get*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunDataWorksAccessingRdsReadOnlyPolicy',
    description: 'Lets DataWorks read RDS instance metadata.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "rds:DescribeDBInstanceAttribute",\n        "rds:DescribeDBInstanceNetInfo",\n        "rds:DescribeDBInstances",\n        "rds:DescribeRegions",\n        "rds:DescribeDatabases"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunECSNetworkInterfaceManagementAccess',
    description: 'Manage ECS elastic network interfaces (ENIs).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "vpc:DescribeVSwitchAttributes"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ecs:CreateNetworkInterface",\n        "ecs:DeleteNetworkInterface",\n        "ecs:DescribeNetworkInterfaces",\n        "ecs:CreateNetworkInterfacePermission",\n        "ecs:DescribeNetworkInterfacePermissions",\n        "ecs:DeleteNetworkInterfacePermission"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunEDASApplicationReadOnlyAccess',
    description: 'Read-only access to EDAS applications.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "edas:ReadApplication",\n        "edas:ReadService",\n        "arms:Describe*",\n        "arms:List*",\n        "arms:Get*",\n        "arms:Search*",\n        "arms:Query*"\n      ],\n      "Resource": [\n        "*"\n      ]\n    }\n  ]\n}',
  },
  {
    name: 'AliyunFCFullAccess',
    description: 'Full access to Function Compute, including passing roles to FC.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "fc:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:PassRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "acs:Service": "fc.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunFinanceConsoleReadOnlyAccess',
    description: 'Read-only access to the finance (expenses) console.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "efc:Get*",\n        "efc:Query*",\n        "efc:Check*",\n        "efc:Verify*",\n        "efc:Validate*",\n        "efc:CurrentProductFee",\n        "efc:BillAnalysis"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "bss:Describe*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "accountcenter:EnterpriseContactQuery*",\n        "accountcenter:EnterpriseAddressQuery*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunHDFSFullAccess',
    description: 'Full access to File Storage HDFS.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "dfs:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "vpc:DescribeVpcs",\n        "vpc:DescribeVSwitches"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunKMSCryptoAdminAccess',
    description: 'Administer cryptographic keys and aliases in KMS.',
    version: 'v2',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "kms:*"\n      ],\n      "Resource": [\n        "acs:kms:*:*:key*",\n        "acs:kms:*:*:alias*"\n      ],\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ecs:TagResources",\n        "ecs:UntagResources",\n        "ecs:ListTagResources"\n      ],\n      "Resource": [\n        "acs:kms:*:*:key/*",\n        "acs:kms:*:*:secret/*"\n      ],\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunKMSCryptoUserAccess',
    description: 'Use KMS cryptographic APIs (encrypt, decrypt, sign, verify).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "kms:Encrypt",\n        "kms:Decrypt",\n        "kms:GenerateDataKey",\n        "kms:GenerateDataKeyWithoutPlaintext",\n        "kms:AsymmetricDecrypt",\n        "kms:AsymmetricEncrypt",\n        "kms:AsymmetricSign",\n        "kms:AsymmetricVerify",\n        "kms:GetPublicKey"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunKMSSecretUserAccess',
    description: 'Retrieve secret values from KMS.',
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "kms:GetSecretValue"\n      ],\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "kms:DescribeSecret",\n        "kms:ListSecretVersionIds"\n      ],\n      "Resource": "*"\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunLicenseManagerFullAccess',
    description: 'Full access to License Manager.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "licensemanager:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "ram:CreateServiceLinkedRole",\n        "ram:CheckServiceLinkedRoleExistence"\n      ],\n      "Resource": "*",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "conversion.licensemanager.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunOOSReadOnlyAccess',
    description: 'Read-only access to CloudOps Orchestration Service (OOS).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "oos:List*",\n        "oos:Get*"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunOTSFullAccess',
    description: 'Full access to Tablestore (OTS).',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "ots:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunPolardbFullAccess',
    description: 'Full access to PolarDB.',
    version: 'v5',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "polardb:*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "hdm:*",\n      "Resource": "acs:polardb:*:*:*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "dbs:*",\n      "Resource": "acs:polardb:*:*:*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "vpc:DescribeVpcs",\n        "vpc:DescribeVSwitches"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "dms:LoginDatabase",\n      "Resource": "acs:polardb:*:*:*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "bss:ModifyAgreementRecord",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "polardb.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunPolardbReadOnlyAccess',
    description: 'Read-only access to PolarDB.',
    version: 'v3',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "polardb:Describe*",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "dbs:Get*",\n        "dbs:Describe*",\n        "dbs:Query*",\n        "dbs:Support*"\n      ],\n      "Resource": "acs:polardb:*:*:*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "hdm:Get*",\n        "hdm:Describe*",\n        "hdm:Query*",\n        "hdm:Support*"\n      ],\n      "Resource": "acs:polardb:*:*:*",\n      "Effect": "Allow"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunRAMAccessAnalyzerFullAccess',
    description: 'Full access to RAM Access Analyzer.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "accessanalyzer:*",\n      "Resource": "*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "resourcemanager:GetAccount",\n        "resourcemanager:GetResourceDirectory"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForAccessAnalyzer',
    description:
      'Policy of the Access Analyzer service-linked role (AliyunServiceRoleForAccessAnalyzer); attach only to that role.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "oss:GetBucketPolicy",\n        "oss:GetBucketAcl",\n        "oss:ListBuckets",\n        "oss:GetPublicAccessBlock",\n        "oss:GetBucketPublicAccessBlock",\n        "oss:GetBucketPolicyStatus",\n        "ram:GetRole",\n        "ram:GetPolicy",\n        "ram:GetUser",\n        "ram:ListUsers",\n        "ram:ListRoles",\n        "ram:GetLoginProfile",\n        "ram:ListAccessKeys",\n        "ram:ListEntitiesForPolicy",\n        "ram:ListUsersForGroup",\n        "ram:GenerateServiceLastAccessedDetails",\n        "ram:GetServiceLastAccessedDetails"\n      ],\n      "Resource": "*"\n    },\n    {\n      "Action": [\n        "actiontrail:CreateServiceTrail",\n        "actiontrail:DeleteServiceTrail",\n        "actiontrail:GetServiceTrail",\n        "actiontrail:GetServiceTrailDeliveryStatus"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "accessanalyzer.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForAlbLogDelivery',
    description: 'Policy of the ALB log-delivery service-linked role.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "log:PostLogStoreLogs"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "logdelivery.alb.aliyuncs.com"\n        }\n      }\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "log:GetProductDataCollection",\n        "log:OpenProductDataCollection",\n        "log:CloseProductDataCollection"\n      ],\n      "Resource": [\n        "acs:log:*:*:project/*",\n        "acs:alb:*:*:loadbalancer/*"\n      ]\n    },\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": [\n            "audit.log.aliyuncs.com"\n          ]\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForCloudSSO',
    description: 'Policy of the CloudSSO service-linked role (AliyunServiceRoleForCloudSSO).',
    version: 'v5',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": [\n        "ram:CreateSAMLProvider",\n        "ram:CreatePolicy",\n        "ram:ListRoles",\n        "ram:ListPolicies"\n      ],\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ram:ListPolicyVersions",\n        "ram:DeletePolicyVersion",\n        "ram:CreatePolicyVersion",\n        "ram:DeletePolicy"\n      ],\n      "Resource": "acs:ram:*:*:policy/AliyunReservedSSO*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ram:GetSAMLProvider",\n        "ram:DeleteSAMLProvider",\n        "ram:GetRole",\n        "ram:CreateRole",\n        "ram:DeleteRole",\n        "ram:GetPolicy",\n        "ram:AttachPolicyToRole",\n        "ram:DetachPolicyFromRole",\n        "ram:ListPoliciesForRole"\n      ],\n      "Resource": [\n        "acs:ram:*:*:saml-provider/AliyunReservedSSO*",\n        "acs:ram:*:*:role/aliyunreservedsso*",\n        "acs:ram:*:*:policy/*"\n      ],\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ram:CreateUser",\n        "ram:DeleteUser",\n        "ram:GetUser",\n        "ram:UpdateUserProvisionType",\n        "ram:UnBindMFADevice",\n        "ram:DeleteLoginProfile",\n        "ram:UnbindUserPersonalDingTalk",\n        "ram:ListAccessKeys",\n        "ram:DeleteAccessKey",\n        "ram:ListGroupsForUser",\n        "ram:RemoveUserFromGroup",\n        "ram:ListPublicKeys",\n        "ram:DeletePublicKey"\n      ],\n      "Resource": [\n        "acs:ram:*:*:user/*",\n        "acs:ram:*:*:group/*"\n      ],\n      "Effect": "Allow"\n    },\n    {\n      "Action": [\n        "ram:DeleteServiceLinkedRole",\n        "ram:GetServiceLinkedRoleDeletionStatus"\n      ],\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "cloudsso.aliyuncs.com"\n        }\n      }\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "cloudsso.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForGaOss',
    description: 'Policy of the Global Accelerator OSS service-linked role.',
    version: 'v1',
    document:
      '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "oss:getBucketInfo",\n      "Resource": "*"\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "oss.ga.aliyuncs.com"\n        }\n      }\n    }\n  ],\n  "Version": "1"\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForMarketSupplier',
    description: 'Policy of the Marketplace supplier service-linked role.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "apig:CreateConsumer",\n        "apig:ListConsumers",\n        "apig:UpdateConsumer",\n        "apig:DeleteConsumer",\n        "apig:CreateConsumerAuthorizationRules",\n        "apig:QueryConsumerAuthorizationRules",\n        "apig:GetConsumer",\n        "apig:GetConsumerAuthorizationRule",\n        "apig:CreateConsumerAuthorizationRule",\n        "apig:CreateDomain",\n        "apig:GetDomain",\n        "apig:GetGateway",\n        "apig:ListHttpApis",\n        "apig:ListServices",\n        "apig:CreateService",\n        "apig:CreatePolicy",\n        "apig:CreatePolicyAttachment",\n        "apig:ListPolicies",\n        "apig:UpdatePolicy",\n        "apig:ListPlugins",\n        "apig:CreatePluginAttachment",\n        "apig:ListGateways",\n        "apig:CreateMcpServer",\n        "apig:DeployMcpServer",\n        "apig:GetMcpServer",\n        "apig:ListMcpServers"\n      ],\n      "Resource": "*"\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "supplier.market.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunServiceRolePolicyForResourceDirectory',
    description: 'Policy of the Resource Directory service-linked role.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Action": "ram:CreateServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow"\n    },\n    {\n      "Action": "ram:DeleteServiceLinkedRole",\n      "Resource": "*",\n      "Effect": "Allow",\n      "Condition": {\n        "StringEquals": {\n          "ram:ServiceName": "resourcemanager.aliyuncs.com"\n        }\n      }\n    }\n  ]\n}',
  },
  {
    name: 'AliyunVpcPeerFullAccess',
    description: 'All VPC peering permissions.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "vpc:*VpcPeer*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  {
    name: 'AliyunVpcPeerReadOnlyAccess',
    description: 'Read-only VPC peering permissions.',
    version: 'v1',
    document:
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "vpc:GetVpcPeer*",\n        "vpc:ListVpcPeer*"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
];
